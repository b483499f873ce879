"""Entendre la France (public-services questions) end to end, from its survey config alone.

``tests/realdata/entendre_la_france/survey.yaml`` is run through the command line (ingest, run,
report) into a temporary root; the source files are read where they are (../shared/realdata,
never copied). Every number checked here is recomputed from the source CSVs with pandas, not
taken from the toolkit: the bases (respondents with a non-empty answer to OE9, OE10 or OE11),
the answers per question, the count on the cover, a share and its base, the profile x group
table.
"""

import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.ingest import load_project
from dialogue_analysis.report._format import NNBSP

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "tests" / "realdata" / "entendre_la_france" / "survey.yaml"
QUESTIONS = ["OE9", "OE10", "OE11"]
MISSING = {"", "?"}


def _n(x: int) -> str:
    """An integer as the French report prints it (narrow no-break space for thousands)."""
    return f"{x:,}".replace(",", NNBSP)


@pytest.fixture(scope="module")
def source(realdata) -> dict:
    """The source files read with pandas, independently of the toolkit."""
    folder = realdata / "entendre_la_france"
    answers = pd.read_csv(folder / "answers_pre.csv", dtype=str, keep_default_na=False)
    users = pd.read_csv(folder / "users.csv", sep=";", encoding="utf-8-sig", lineterminator="\r",
                        dtype=str, keep_default_na=False)
    declared = answers[answers["question_name"].isin(QUESTIONS)
                       & ~answers["answer"].str.strip().isin(MISSING)]
    ids = declared["customer_id"].unique()
    respondents = users[users["user_id"].isin(ids)].replace("?", pd.NA)
    return {"answers": answers, "declared": declared, "ids": set(ids),
            "respondents": respondents}


def _config_for(realdata: Path, root: Path) -> Path:
    """The config with its data paths pointing at ``realdata`` (wherever the checkout is)."""
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("../../../../shared/realdata", realdata.resolve().as_posix())
    text = text.replace("../../../codebooks", (REPO / "codebooks").as_posix())
    path = root / "config" / "survey.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def published(realdata, tmp_path_factory):
    root = tmp_path_factory.mktemp("elf")
    config = _config_for(realdata, root)
    runner = CliRunner()
    for command in (["ingest"], ["run", "--no-notebooks"], ["report", "--no-notebooks"]):
        result = runner.invoke(app, [command[0], str(config), "--root", str(root), *command[1:]])
        assert result.exit_code == 0, result.output
    project = load_project(config)
    html = (project.reports_dir(root) / "findings.html").read_text(encoding="utf-8")
    return {"root": root, "project": project, "html": html_lib.unescape(html),
            "processed": project.processed_dir(root)}


def test_the_config_reads_the_shared_files_in_place():
    text = CONFIG.read_text(encoding="utf-8")
    config_dir = CONFIG.parent
    for name in ("answers_pre.csv", "users.csv"):
        path = re.search(rf"file: (\S+/{name})", text).group(1)
        # relative to the config: the checkout's sibling folder shared/realdata
        assert (config_dir / path).resolve() == (REPO.parent / "shared" / "realdata"
                                                 / "entendre_la_france" / name).resolve()


def test_a_record_is_a_respondent_who_answered_a_declared_question(published, source):
    records = pd.read_parquet(published["processed"] / "records.parquet")
    assert set(records["record_id"]) == source["ids"]
    assert len(records) == len(source["ids"]) == 1_156  # not the 2,538 who answered anything
    assert source["answers"]["customer_id"].nunique() == 2_538


def test_answers_per_question(published, source):
    answers = pd.read_parquet(published["processed"] / "answers.parquet")
    expected = source["declared"].groupby("question_name")["customer_id"].nunique()
    got = answers.groupby("question_id")["record_id"].nunique()
    assert got.to_dict() == expected.to_dict() == {"OE9": 963, "OE10": 694, "OE11": 743}
    assert len(answers) == len(source["declared"])


def test_cover_and_question_bases_say_respondents(published, source):
    html, n = published["html"], len(source["ids"])
    banner = re.search(r'<ul class="facts">(.*?)</ul>', html, re.S).group(1)
    assert re.search(rf"<strong>{_n(n)}</strong>répondants", banner)
    bases = source["declared"].groupby("question_name")["customer_id"].nunique()
    for question in QUESTIONS:
        assert re.search(rf"<strong>{question}</strong> — [^<]*<span class=\"note\">\(base : "
                         rf"{_n(bases[question])} sur {_n(n)} répondants ont répondu\)", html)
    assert f"{_n(n)} répondants : {_n(len(source['declared']))} réponses à 3 questions" in html


def test_a_share_says_its_base(published, source):
    """The first key finding: its count over the recomputed base, and the printed percent."""
    html, n = published["html"], len(source["ids"])
    sentence = re.search(r'<li id="finding-1"[^>]*>(.*?)</li>', html, re.S).group(1)
    sentence = re.sub(r"<[^>]+>", "", sentence)
    found = re.search(rf"(\d+){NNBSP}% des personnes consultées l'évoquent \((\d+) sur "
                      rf"([\d{NNBSP}]+)\)", sentence)
    assert found, sentence
    percent, count, base = int(found.group(1)), int(found.group(2)), found.group(3)
    assert base == _n(n)
    findings = pd.read_parquet(published["processed"] / "analysis" / "findings.parquet")
    code = findings.sort_values("finding")["code"].iloc[0]
    passages = pd.read_parquet(published["processed"] / "analysis" / "passages.parquet")
    assert passages.loc[passages["code"] == code, "record_id"].nunique() == count
    assert passages["record_id"].isin(source["ids"]).all()
    assert percent == round(100 * count / n)


def test_contrasts_compare_people_whose_attribute_is_known(published, source):
    """Each profile against the other respondents whose profile is known (not everyone)."""
    contrasts = pd.read_parquet(published["processed"] / "analysis" / "contrasts.parquet")
    profession = source["respondents"]["profession"]
    known = int(profession.notna().sum())
    assert known < len(source["ids"])  # 300+ respondents gave no profession
    by_profile = contrasts[contrasts["dimension"] == "profile"].drop_duplicates("category")
    assert len(by_profile) == profession.nunique()
    for row in by_profile.itertuples():
        n = int((profession == row.category).sum())
        assert (row.n, row.n_others) == (n, known - n), row.category


def test_profile_by_group_is_a_true_cross_table(published, source):
    html = published["html"]
    table = re.search(r"<caption>Profils des personnes consultées, par groupe[^<]*</caption>"
                      r"(.*?)</table>", html, re.S).group(1)
    r = source["respondents"]
    cross = pd.crosstab(r["profession"], r["position_gj"])
    assert cross.loc["Etudiant"].to_dict() == {"Ne soutient pas": 92, "Participe activement": 18,
                                               "Soutient": 75}
    groups = re.findall(r'<th class="num">([^<]+)</th>', table)[:-1]
    assert sorted(groups) == sorted(cross.columns)
    for profile, counts in cross.iterrows():
        row = re.search(rf"<tr><td>{re.escape(profile)}</td>(.*?)</tr>", table).group(1)
        shown = re.findall(r'<td class="num[^"]*">([^<]+)</td>', row)[:-1]
        for g, cell in zip(groups, shown, strict=True):
            if 0 < counts[g] < 5:
                assert cell == "s", (profile, g)  # a small count is masked
            elif cell != "s":
                assert cell == _n(counts[g]), (profile, g)
        # a lone masked cell in a row would be its total minus the others
        assert shown.count("s") != 1, profile


def test_the_report_claims_nothing_the_config_does_not_say(published):
    html = published["html"]
    for claim in ("semi-directif", "enquêteurs ont", "saisies par les enquêteurs",
                  "couvrir la diversité", "Entretien "):
        assert claim not in html, claim
    assert "agent conversationnel (chatbot)" in html
    assert re.search(r"<cite>Répondant \d+, OE(9|10|11)( — [^<]*)?</cite>", html)
