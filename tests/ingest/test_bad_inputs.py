"""Bad and unusual inputs through the command line: a precise message, never a traceback.

``BAD_INPUTS`` is the table of cases: each writes a wave (interviews file and survey config)
the way a user might get it wrong, runs ``dialogue-analysis ingest`` and checks the exit code
and the words the message must hold. Add a row for every new case.
"""

from __future__ import annotations

import csv
import io
import sys

import pytest
from typer.testing import CliRunner

from dialogue_analysis import cli
from dialogue_analysis.cli import app
from tests.ingest.test_ingest import HEADER, ROWS, write_config, write_csv

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _rows(**cells):
    """ROWS with some cells changed: ``{"r1c2": "x"}`` sets row 1 (0-based), column 2."""
    rows = [list(r) for r in ROWS]
    for key, value in cells.items():
        r, c = key[1:].split("c")
        rows[int(r)][int(c)] = value
    return rows


def csv_wave(rows=None, header=HEADER, **write):
    def make(folder):
        write_csv(folder / "entretiens.csv", [header] + (rows or ROWS), **write)
        return write_config(folder, "entretiens.csv")
    return make


def bytes_wave(make_bytes, table_extra=""):
    """A wave whose interviews file is ``make_bytes(csv text)``."""
    def make(folder):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(
            [HEADER] + [[c.replace("\n", " ") for c in r] for r in ROWS])
        text = buffer.getvalue()
        (folder / "entretiens.csv").write_bytes(make_bytes(text))
        return write_config(folder, "entretiens.csv", table_extra)
    return make


def _nul_in_row(text):
    lines = text.encode("utf-8").split(b"\n")
    lines[2] = lines[2][:10] + b"\x00\x00\x00" + lines[2][10:]
    return b"\n".join(lines)


def codebook_wave(codebook_text):
    """The good CSV wave with a codebook declared in its config."""
    def make(folder):
        config = csv_wave()(folder)
        config.write_text(config.read_text(encoding="utf-8") + "codebook: codes.yaml\n",
                          encoding="utf-8")
        if codebook_text is not None:
            (folder / "codes.yaml").write_text(codebook_text, encoding="utf-8")
        return config
    return make


CODEBOOK = """families:
  besoin:
    label_fr: Besoins
    label_en: Needs
    codes:
      role:
        label_fr: Rôle
        label_en: Role
        patterns: {{regex: ["{regex}"]}}
"""


# (case id, wave writer, exit code, words every one of which the output must hold)
BAD_INPUTS = [
    ("markup-closing-tag", csv_wave(_rows(r1c2="Rurale[/b]")), 1, ["Rurale[/b]", "Territoire"]),
    ("markup-tags", csv_wave(_rows(r1c2="[bold]Rurale[/bold]")), 1,
     ["[bold]Rurale[/bold]", "n'est pas une valeur permise"]),
    ("markup-in-header", csv_wave(header=HEADER[:-1] + ["[red]Q2[/red]"]), 1,
     ["Q2 – Besoins", "[red]Q2[/red]"]),
    ("utf16-without-bom", bytes_wave(lambda t: t.encode("utf-16-le")), 0,
     ["UTF-16 sans marque", "utf-16-le", "3 entretiens"]),
    ("utf16-be-without-bom", bytes_wave(lambda t: t.encode("utf-16-be")), 0,
     ["utf-16-be", "3 entretiens"]),
    ("random-bytes", bytes_wave(lambda t: bytes(range(256)) * 20), 1,
     ["ne contient pas du texte", "entretiens.csv"]),
    ("zip-renamed-csv", bytes_wave(lambda t: b"PK\x03\x04" + bytes(200)), 1,
     ["renommez-le en .xlsx"]),
    ("nul-bytes-in-a-row", bytes_wave(_nul_in_row), 0,
     ["3 octet(s) nul(s)", "ligne(s) 3", "3 entretiens"]),
    ("wrong-separator-set", bytes_wave(lambda t: t.encode("utf-8"), "separator: ','"), 1,
     ["séparateur « , »", "avec « ; »", "9 des 9 colonnes", 'separator: ";"']),
    ("codebook-bad-regex-at-ingest", codebook_wave(CODEBOOK.format(regex="r[oô]le(")), 2,
     ["codes.yaml", "families.besoin.codes.role.patterns.regex[0]",
      "expression régulière invalide 'r[oô]le('"]),
    ("codebook-missing-at-ingest", codebook_wave(None), 2,
     ["survey.yaml", "codebook", "dictionnaire des codes introuvable"]),
    ("codebook-unknown-key-at-ingest", codebook_wave(CODEBOOK.format(regex="r[oô]le").replace(
        "label_en: Role", "label_en: Role\n        motifs: [x]")), 2,
     ["families.besoin.codes.role.motifs", "clé inconnue"]),
]


@pytest.mark.parametrize(("make", "code", "words"), [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_gives_a_precise_message(tmp_path, make, code, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    config = make(raw)
    before = {p: p.read_bytes() for p in raw.iterdir()}
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)
    assert {p: p.read_bytes() for p in raw.iterdir()} == before  # raw files never modified
    if code:
        assert not (tmp_path / "out" / "data" / "processed" / "essai-2018").exists()


def test_a_file_name_with_brackets_is_shown_as_written(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "[bold]entretiens[red].csv", [HEADER] + _rows(r1c2="Ruarl"))
    config = write_config(raw, "'[bold]entretiens[red].csv'")
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "[bold]entretiens[red].csv, ligne 3" in result.output


def test_unexpected_error_is_reported_as_a_defect_with_a_log(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    config = csv_wave()(raw)
    logs = tmp_path / "logs"
    monkeypatch.setenv(cli.LOG_DIR_ENV, str(logs))

    def broken(*args, **kwargs):
        raise KeyError("colonne_interne")

    monkeypatch.setattr(cli.pipeline, "run_ingest", broken)
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == cli.EXIT_BUG
    assert "Traceback" not in result.output
    assert "Erreur inattendue" in result.output and "KeyError" in result.output
    [log] = logs.glob("error-*.log")
    assert str(log.name) in result.output.replace("\n", "")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "colonne_interne" in text and "def broken" not in text
    assert "in broken" in text  # the frame that raised is in the log


def test_bug_logs_go_to_the_system_temp_dir_by_default(monkeypatch):
    import tempfile

    monkeypatch.delenv(cli.LOG_DIR_ENV, raising=False)
    assert cli.bug_log_dir().parent == __import__("pathlib").Path(tempfile.gettempdir())


def test_identical_problems_make_one_block_listing_their_rows(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [list(ROWS[0]) for _ in range(30)]
    for i, row in enumerate(rows):
        row[0], row[2] = f"E{i:02d}", "Ruarl"
    config = csv_wave(rows)(raw)
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == 1
    out = result.output
    assert out.count("n'est pas une valeur permise") == 1
    assert "lignes 2, 3, 4" in out and "(+18)" in out  # 12 rows shown, then the count
    assert "30 erreur(s)" in out


def test_problem_report_reads_in_80_columns(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    config = csv_wave(_rows(r1c2="une valeur assez longue pour ne pas tenir"))(raw)
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    message = " ".join(" ".join(lines).split())
    assert ("« une valeur assez longue pour ne pas tenir » n'est pas une valeur permise de "
            "territory") in message


def test_notebook_modules_are_complete_before_the_notebook_thread_starts():
    """IPython imported by the kernel start-up in the notebook thread was seen half-initialised
    by matplotlib in the figures thread; publish imports it first."""
    import subprocess

    code = ("import sys\n"
            "from dialogue_analysis.report import preload_notebook_modules\n"
            "assert 'IPython' not in sys.modules\n"
            "preload_notebook_modules()\n"
            "print(sys.modules['IPython'].version_info[:2] >= (1, 0))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def _typology_wave(n):
    from tests.synthetic import make_wave

    w = make_wave(n, 2, seed=1)
    return w.records, w.code_matrix, w.terms


@pytest.mark.parametrize("n_clusters", [30, 24])
def test_more_groups_than_interviews_is_one_clear_error(n_clusters):
    from dialogue_analysis.typology import TypologySettingsError, typology_from_settings

    records, _, _ = _typology_wave(24)
    with pytest.raises(TypologySettingsError) as info:
        typology_from_settings({"n_clusters": n_clusters, "language": "fr"}, records, None)
    assert str(info.value) == (
        f"settings.n_clusters = {n_clusters} : impossible de former {n_clusters} groupes avec "
        "24 entretiens (au plus 23) ; mettez « n_clusters: auto » ou un nombre de 2 à 23")


def test_k_range_beyond_the_data_is_narrowed_with_one_warning():
    from dialogue_analysis.core import DialogueAnalysisWarning
    from dialogue_analysis.typology import typology_from_settings

    records, codes, terms = _typology_wave(24)
    with pytest.warns(DialogueAnalysisWarning) as caught:
        typo, _ = typology_from_settings({"k_range": [2, 40], "language": "en",
                                          "min_cell_count": 5}, records, None)
    assert [str(w.message) for w in caught] == [
        "settings.k_range = [2, 40] goes beyond what 24 interviews allow: only 2–23 groups "
        "are tried"]
    typo.fit(records, codes, terms)
    assert typo.k_evidence_["k"].tolist() == list(range(2, 24))


def test_small_wave_warns_once_and_sklearn_stays_quiet():
    import warnings

    from dialogue_analysis.core import DialogueAnalysisWarning
    from dialogue_analysis.typology import typology_from_settings

    records, codes, terms = _typology_wave(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        typo, _ = typology_from_settings({"k_range": [2, 8]}, records, None)
        typo.fit(records, codes, terms)
    messages = [(w.category, str(w.message)) for w in caught]
    assert messages == [(DialogueAnalysisWarning,
                         "vague de 3 entretien(s) : trop peu pour des groupes d'au moins 5 "
                         "entretiens ; la typologie (2 groupes) est donnée à titre indicatif")]
    assert typo.n_clusters_ == 2


def test_python_dash_m_runs_the_command_line():
    import subprocess

    done = subprocess.run([sys.executable, "-m", "dialogue_analysis.cli", "--version"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("dialogue-analysis ")


def test_a_long_answer_is_cut_to_an_excel_cell_with_a_visible_marker(tmp_path):
    import openpyxl
    import pandas as pd

    from dialogue_analysis.report._workbook import EXCEL_CELL_LIMIT, write_tables

    answer = "Je vous explique. " * 11_200  # about 200,000 characters
    path = tmp_path / "t.xlsx"
    write_tables({"answers": pd.DataFrame({"text": [answer, "court"]})}, path, title="t")
    ws = openpyxl.load_workbook(path)["answers"]
    cut = ws["A2"].value
    assert len(cut) == EXCEL_CELL_LIMIT and cut.endswith(" […]")
    assert answer.startswith(cut[: -len(" […]")])
    assert ws["A3"].value == "court"


@pytest.mark.parametrize(("texts", "words"), [
    (["I need help with the internet and my phone, it is too expensive."] * 3,
     ["3 réponses", "anglais"]),
    (["La mairie ne répond pas, on attend des semaines pour un rendez-vous."] * 3,
     ["3 réponses", "le dictionnaire de cette étude"]),
])
def test_a_wave_where_the_codebook_finds_nothing_says_why(texts, words):
    from dialogue_analysis.coding._codebook import nothing_coded_message

    message = nothing_coded_message(texts, 0, "codes.yaml", "fr")
    assert message.startswith("le dictionnaire des codes codes.yaml n'a trouvé aucun code")
    for word in words:
        assert word in message
    assert nothing_coded_message(texts, 2, "codes.yaml", "fr") is None


def test_toolkit_warnings_are_printed_once_and_library_warnings_kept_off(tmp_path, monkeypatch):
    import warnings

    from dialogue_analysis.core import DialogueAnalysisWarning

    raw = tmp_path / "raw"
    raw.mkdir()
    config = csv_wave()(raw)
    real = cli.pipeline.run_ingest

    def noisy(*args, **kwargs):
        for _ in range(3):
            warnings.warn("trop peu d'entretiens [b]x[/b]", DialogueAnalysisWarning, stacklevel=1)
        warnings.warn("Number of distinct clusters (2) found smaller", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli.pipeline, "run_ingest", noisy)
    result = invoke("ingest", config, "--root", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("avertissement : trop peu d'entretiens [b]x[/b]") == 1
    assert "distinct clusters" not in result.output


def test_an_unwritable_root_is_a_message_not_a_traceback(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    config = csv_wave()(raw)
    blocker = tmp_path / "out"
    blocker.write_text("a file where the root folder should be", encoding="utf-8")
    result = invoke("ingest", config, "--root", blocker / "sub")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Erreur inattendue" not in result.output
    text = " ".join(result.output.split())
    assert "Impossible de lire ou d'écrire" in text and "out" in text


@pytest.mark.parametrize(("settings", "words"), [
    ("n_clusters: 30", ["settings.n_clusters = 30", "3 entretiens", "au plus 2"]),
])
def test_run_stops_before_parsing_when_the_groups_cannot_be_made(tmp_path, settings, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    config = csv_wave()(raw)
    config.write_text(config.read_text(encoding="utf-8") + f"settings:\n  {settings}\n",
                      encoding="utf-8")
    result = invoke("run", config, "--root", tmp_path / "out", "--no-notebooks")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "Traceback" not in text
    for word in words:
        assert word in text
    # stopped right after ingestion: nothing of the analysis was written
    assert not (tmp_path / "out" / "data" / "processed" / "essai-2018" / "analysis").exists()
