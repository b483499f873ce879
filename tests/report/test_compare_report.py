"""The comparison report (HTML, workbook, figures), the `compare` command and notebook 05."""

import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dialogue_analysis.analysis import save_analysis
from dialogue_analysis.cli import app
from dialogue_analysis.core import PrivacyError
from dialogue_analysis.report import _compare as compare_report
from dialogue_analysis.report._compare_disclosure import masked_prevalence
from dialogue_analysis.typology import Typology
from dialogue_analysis.waves import compare_waves
from tests.synthetic import make_wave
from tests.waves.test_waves import FAST, analysed, shifted

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "05_compare_waves.ipynb"
GROUPS = ["personnes en précarité", "acteurs de terrain", "salariés", "influenceurs"]

CONFIG = """\
wave: {wave}
table: {{file: {wave}.csv}}
record_id: "N°"
attributes:
  stakeholder_group:
    column: {group_column}
    type: categorical
    values: [{groups}]
{extra}
questions:
  - {{id: q1, column: Q1}}
"""


def _waves():
    a = analysed(make_wave(300, 4, seed=0), "w1", "A", typology=Typology(random_state=0, **FAST))
    b = shifted(analysed(make_wave(200, 4, seed=5), "w2", "B"))
    # ten stakeholders interviewed again under their first-wave id
    b.records = b.records.copy()
    old = dict(zip(b.records["record_id"].iloc[:10], a.records["record_id"].iloc[:10],
                   strict=True))
    b.records["record_id"] = b.records["record_id"].replace(old)
    b.code_matrix.index = b.code_matrix.index.map(lambda i: old.get(i, i))
    b.terms = b.terms.assign(record_id=b.terms["record_id"].replace(old))
    return a, b


@pytest.fixture(scope="module")
def pair():
    return _waves()


@pytest.fixture(scope="module")
def comparison(pair):
    return compare_waves(*pair)


@pytest.fixture(scope="module")
def project_root(tmp_path_factory, pair):
    """A project with both waves analysed (tables saved) and their survey configs."""
    root = tmp_path_factory.mktemp("project")
    a, b = pair
    configs = []
    for wave, column, extra in ((a, "Famille", ""), (b, "Catégorie",
                                "  interview_mode: {column: Mode, type: categorical, "
                                "values: [présentiel, visio]}")):
        folder = root / "data" / "raw" / wave.wave
        folder.mkdir(parents=True)
        config = folder / "survey.yaml"
        config.write_text(CONFIG.format(wave=wave.wave, group_column=column,
                                        groups=", ".join(GROUPS), extra=extra), encoding="utf-8")
        save_analysis(wave, root / "data" / "processed" / wave.wave)
        configs.append(config)
    return root, configs


def test_publish_writes_html_workbook_and_figures(tmp_path, comparison):
    out = compare_report.publish_comparison(comparison, tmp_path / comparison.name)
    html = out["html"].read_text(encoding="utf-8")
    assert "w1" in html and "w2s" in html and "need.equipment" in html
    assert "<img src=\"data:image/svg+xml;base64," in html
    names = {p.name for p in out["figures"].iterdir()}
    for stem in ("01_prevalence_change", "02_vocabulary_change", "03_group_sizes",
                 "04_group_moves"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    wb = load_workbook(out["xlsx"])
    assert {"summary", "prevalence", "prevalence_by_group", "vocabulary", "group_sizes",
            "group_moves", "reinterviewed_attributes", "reinterviewed_codes",
            "schema_drift"} <= set(wb.sheetnames)
    # no per-person table is published: no record id of the re-interviewed people anywhere
    with zipfile.ZipFile(out["xlsx"]) as z:
        text = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    assert comparison.reinterviewed_ids[0] not in text and comparison.reinterviewed_ids[0] \
        not in html


def test_published_tables_mask_small_counts(comparison):
    tables = compare_report.published_tables(comparison)
    by = tables["prevalence_by_group"]
    shown = pd.concat([by["count_a"], by["count_b"]]).dropna().astype(int)
    assert not ((shown > 0) & (shown < 5)).any()
    assert by["masked_a"].any() or by["masked_b"].any()
    for name, cols in (("reinterviewed_codes", ["n_gained", "n_lost"]),
                       ("reinterviewed_attributes", ["n_changed"]),
                       ("group_sizes", ["n_a", "n_b", "far_b"])):
        shown = pd.concat([tables[name][c] for c in cols]).dropna().astype(int)
        assert not ((shown > 0) & (shown < 5)).any()
    moves = tables["group_moves"]
    assert not ((moves["count"].dropna() > 0) & (moves["count"].dropna() < 5)).any()


def test_english_report(comparison):
    html = compare_report.render_compare_html(comparison, "en", figures={})
    assert "Comparison of two waves" in html and "Emerging" in html


def test_an_identifier_blocks_publication(tmp_path, pair):
    a, b = pair
    cmp = compare_waves(a, b)
    cmp.code_labels = {"need.funding": "voir jean.dupont@example.org"}
    with pytest.raises(PrivacyError):
        compare_report.publish_comparison(cmp, tmp_path / "out")
    assert not (tmp_path / "out" / "compare.html").exists()


def test_compare_command(project_root):
    root, (config_a, config_b) = project_root
    result = CliRunner().invoke(app, ["compare", str(config_a), str(config_b), "--root",
                                      str(root)])
    assert result.exit_code == 0, result.output
    assert "w1 (300) -> w2s (200)" in result.output
    folder = root / "reports" / "compare_w1_w2s"
    assert (folder / "compare.html").exists() and (folder / "compare.xlsx").exists()
    drift = pd.read_excel(folder / "compare.xlsx", sheet_name="schema_drift")
    assert {"attribute_new", "column_renamed", "layout"} <= set(drift["kind"])


def test_notebook_has_no_outputs_and_runs(project_root, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "config_b =" in tagged[0].source
    root, (config_a, config_b) = project_root
    params = (f"config = {str(config_a)!r}\nconfig_b = {str(config_b)!r}\n"
              f"root = {str(root)!r}\nlanguage = 'fr'\n")
    nb.cells.insert(nb.cells.index(tagged[0]) + 1, nbformat.v4.new_code_cell(params))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(root)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "image/png" in o.get("data", {})]


def test_compare_command_reports_a_config_error(tmp_path):
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "absent.yaml"),
                                      str(tmp_path / "other.yaml")])
    assert result.exit_code == 2
    assert "absent.yaml" in result.output and "introuvable" in result.output
    assert "Traceback" not in result.output


def _recover(published: dict) -> dict:
    """What a reader computes back from the published tables of a comparison: every line (the
    categories of a code against its overall count, the groups against the wave's interviews,
    the far-from-every-group people against their total, the moves against the people
    interviewed again) with one blank is solved by difference, over and over."""
    summary = dict(zip(published["summary"]["key"], published["summary"]["value"], strict=True))
    prev, by = published["prevalence"], published["prevalence_by_group"]
    lines = []  # (known total, {cell: published count or None})
    for w in "ab":
        overall = dict(zip(prev["code"], prev[f"count_{w}"], strict=True))
        for (code, dim), g in by.groupby(["code", "dimension"]):
            lines.append((int(overall[code]),
                          {("prev", w, code, dim, c): None if pd.isna(v) else int(v)
                           for c, v in zip(g["category"], g[f"count_{w}"], strict=True)}))
    sizes = published["group_sizes"]
    for w in "ab":
        lines.append((int(summary[f"n_{w}"]), {("size", w, g): None if pd.isna(v) else int(v)
                                               for g, v in zip(sizes["group"], sizes[f"n_{w}"],
                                                               strict=True)}))
    moves = published["group_moves"]
    if len(moves):
        lines.append((int(summary["reinterviewed"]),
                      {("move", a, b): None if pd.isna(v) else int(v) for a, b, v in
                       zip(moves["group_a"], moves["group_b"], moves["count"], strict=True)}))
    found: dict = {}
    progress = True
    while progress:
        progress = False
        for total, cells in lines:
            cells = {k: found.get(k, v) for k, v in cells.items()}
            blank = [k for k, v in cells.items() if v is None]
            if len(blank) == 1:
                found[blank[0]] = total - sum(v for v in cells.values() if v is not None)
                progress = True
    return found


def test_no_masked_count_of_the_comparison_can_be_recovered(comparison, pair, monkeypatch):
    tables = compare_report.published_tables(comparison)
    assert tables["prevalence_by_group"][["masked_a", "masked_b"]].to_numpy().any()
    assert _recover(tables) == {}  # no line of the published tables has a lone blank
    # the blanks are not all small counts: some are complements, masked like them
    by = tables["prevalence_by_group"]
    raw = comparison.prevalence[comparison.prevalence["dimension"] != "all"]
    complements = by["masked_a"].to_numpy() & (raw["count_a"].to_numpy() >= 5)
    assert complements.any()
    # masking the small counts alone would let a reader compute them back
    from dialogue_analysis.report import _compare_disclosure
    from dialogue_analysis.report._disclosure import Suppression

    monkeypatch.setattr(_compare_disclosure, "suppress",
                        lambda values, lines, *, min_count, fixed, masked: Suppression(
                            frozenset(), frozenset(), frozenset()))
    leaky = compare_report.published_tables(compare_waves(*pair))
    recovered = _recover(leaky)
    assert any(0 < v < 5 for v in recovered.values())
    truth = {("prev", w, r.code, r.dimension, r.category): getattr(r, f"count_{w}")
             for w in "ab" for r in raw.itertuples()}
    assert all(truth[k] == v for k, v in recovered.items() if k in truth)


def test_the_group_mix_test_is_withheld_when_a_group_size_is_masked(comparison):
    from dialogue_analysis.report import published_group_test

    g = comparison.group_sizes["group"].iloc[0]
    assert published_group_test(comparison, frozenset())["chi2"] == comparison.group_test["chi2"]
    withheld = published_group_test(comparison, frozenset({("size", "b", g)}))
    assert pd.isna(withheld["chi2"]) and pd.isna(withheld["p_value"])
    assert withheld["dof"] == comparison.group_test["dof"]


def _bh_terms(p):
    """Each tested row's own Benjamini-Hochberg term p(j) * m / j (NaN for untested rows)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    out[order] = p[order] * len(order) / np.arange(1, len(order) + 1)
    return out


def test_no_printed_adjusted_p_value_is_set_by_a_masked_row(pair):
    """An adjusted p-value equal to a masked row's term and to no printed row's gives that
    row's p-value back, and with it the masked count (Benjamini-Hochberg, where this pair of
    waves has such a value; Holm's are checked by the same code)."""
    comparison = compare_waves(*pair, correction="bh")
    truth = comparison.prevalence.reset_index(drop=True)
    by = compare_report.published_tables(comparison)["prevalence_by_group"]
    shown = masked_prevalence(comparison).reset_index(drop=True)
    assert by["p_adjusted"].dropna().tolist() == shown.loc[
        shown["dimension"] != "all", "p_adjusted"].dropna().tolist()
    withheld = (shown["masked_a"] | shown["masked_b"]).to_numpy(bool)
    counts = {"before": 0, "after": 0}
    for _, idx in truth.groupby("dimension").groups.items():
        terms = _bh_terms(truth.loc[idx, "p_value"])
        w = withheld[idx]
        for when, values in (("before", truth.loc[idx, "p_adjusted"].to_numpy(float)),
                             ("after", shown.loc[idx, "p_adjusted"].astype(float).to_numpy())):
            counts[when] += sum(1 for q in values[~w & ~np.isnan(values)] if q < 1
                                and np.isclose(terms[w], q, rtol=1e-12, atol=0).any()
                                and not np.isclose(terms[~w], q, rtol=1e-12, atol=0).any())
    assert counts["before"] >= 1  # the attack finds a p-value back from the values as computed
    assert counts["after"] == 0


def _printed_p(cell) -> float:
    """A p-value as the HTML prints it (``0,012``, ``0.012``); NaN for ``–`` or ``< 0,001``."""
    text = str(cell).strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _html_p_tables(html: str) -> list[tuple[pd.DataFrame, str]]:
    """The tables of compare.html that print adjusted p-values, with that column's name."""
    from io import StringIO

    heads = {compare_report._W(lang).p_adj for lang in ("fr", "en")}
    return [(t, col) for t in pd.read_html(StringIO(html), thousands=None) for col in t.columns
            if str(col) in heads]


def _html_revealing(html: str, comparison) -> int:
    """Adjusted p-values printed in ``html`` (three decimals) equal, at that precision, to a
    withheld row's Benjamini-Hochberg term and to no printed row's term in their family."""
    truth = comparison.prevalence.reset_index(drop=True)
    shown = masked_prevalence(comparison).reset_index(drop=True)
    withheld = (shown["masked_a"] | shown["masked_b"]).to_numpy(bool)
    terms = np.full(len(truth), np.nan)
    for _, idx in truth.groupby("dimension").groups.items():
        terms[idx] = _bh_terms(truth.loc[idx, "p_value"])
    category_col = compare_report._W(comparison.settings.get("language", "fr")).category
    found = 0
    for table, col in _html_p_tables(html):
        for _, row in table.iterrows():
            q = _printed_p(row[col])
            if np.isnan(q) or q >= 1:
                continue
            if category_col in table.columns:  # a row of a group: its dimension's family
                family = truth["dimension"].isin(
                    truth.loc[truth["category"] == row[category_col], "dimension"]).to_numpy()
            else:  # the whole waves' rows
                family = (truth["dimension"] == "all").to_numpy()
            same = np.isclose(np.round(terms, 3), q, rtol=0, atol=1e-9)
            if (same & family & withheld).any() and not (same & family & ~withheld).any():
                found += 1
    return found


def test_compare_html_prints_no_adjusted_p_value_set_by_a_masked_row(pair, tmp_path,
                                                                     monkeypatch):
    """The same attack on the tables published in compare.html, read back from the file."""
    comparison = compare_waves(*pair, correction="bh")
    out = compare_report.publish_comparison(comparison, tmp_path / "masked")
    html = out["html"].read_text(encoding="utf-8")
    assert _html_p_tables(html), "no table of adjusted p-values found in compare.html"
    assert _html_revealing(html, comparison) == 0
    # the attack reads the HTML: a page printing the adjusted p-values as computed, every
    # row of a group shown (the page shows the significant ones only), gives them away
    unmasked = compare_report.masked_prevalence

    def printed_as_computed(cmp, hidden=None):
        table = unmasked(cmp, hidden)
        table["p_adjusted"] = cmp.prevalence["p_adjusted"].to_numpy()
        table["significant"] = True
        return table

    monkeypatch.setattr(compare_report, "masked_prevalence", printed_as_computed)
    leaky = compare_report.publish_comparison(comparison, tmp_path / "leaky")
    assert _html_revealing(leaky["html"].read_text(encoding="utf-8"), comparison) >= 1
