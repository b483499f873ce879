import html as html_lib
import re
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from dialogue_analysis.report import FIGURES, hidden_people, mask_mark, render_html
from dialogue_analysis.report._format import NNBSP, fmt_date, fmt_number, fmt_pct, fmt_ratio
from tests.analysis_fixtures import built_wave, synthetic_analysis

SECTIONS = ["key-findings", "consulted", "services", "barriers", "needs", "themes", "typology",
            "priorities", "limitations", "methodology", "annex-quotes"]


def test_french_and_english_number_formats():
    assert fmt_number(1234.5, "fr", 1) == f"1{NNBSP}234,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"
    assert fmt_pct(0.124, "fr") == f"12{NNBSP}%"
    assert fmt_pct(0.124, "en") == "12%"
    assert fmt_number(-0.04, "fr", 1) == "0,0"
    assert fmt_number(float("nan")) == "–"
    assert fmt_date(pd.Timestamp("2018-03-01"), "fr") == "1er mars 2018"
    assert fmt_date(pd.Timestamp("2018-03-14"), "en") == "14 March 2018"
    assert fmt_ratio(2.02, "fr") == "deux fois plus"
    assert fmt_ratio(1.83, "fr") == "1,8 fois plus"
    assert fmt_ratio(1.96, "en") == "twice as often"


@pytest.fixture(scope="module")
def html():
    built = built_wave()
    return built.published["html"].read_text(encoding="utf-8")


def test_report_has_every_section_and_a_table_of_contents(html):
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
        assert f'href="#{section}"' in html, section
    from dialogue_analysis.report import typology_is_clear

    a = built_wave().analysis
    assert html.count('class="card"') == (len(a.groups) if typology_is_clear(a) else 0)
    assert 'lang="fr"' in html and "Principaux enseignements" in html


def test_report_is_self_contained_and_shows_no_code(html):
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html.lower()
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) >= 8 and all(i.startswith("data:image/svg+xml;base64,") for i in images)
    assert "import " not in html and "def " not in html


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_key_findings_numbers_equal_the_findings_table(html):
    built = built_wave()
    a = built.analysis
    assert len(a.findings) >= 3
    for row in a.findings.to_dict("records"):
        m = re.search(rf'<li id="finding-{row["finding"]}"[^>]*>(.*?)</li>', html, re.S)
        assert m, row["finding"]
        text = _text(m.group(1))
        percents = re.findall(rf"(\d+){NNBSP}%", text)
        assert percents[0] == str(round(100 * row["share"])), text
        if row["kind"] == "contrast":
            assert percents[1] == str(round(100 * row["share_others"])), text
            tv = re.search(r"valeur-test (-?\d+,\d)", text).group(1)
            assert float(tv.replace(",", ".")) == pytest.approx(row["test_value"], abs=0.051)
        else:
            counts = re.search(r"\((\d[\d\u202f]*) sur (\d[\d\u202f]*)\)", text)
            assert int(counts.group(1).replace(NNBSP, "")) == row["count"]
            assert int(counts.group(2).replace(NNBSP, "")) == len(a.records)
        assert a.code_label(row["code"], "fr") in text
        if row["finding"] in set(a.finding_quotes["finding"]):
            assert f'href="#quotes-{row["finding"]}"' in html


def test_consulted_counts_equal_the_records(html):
    a = built_wave().analysis
    m = re.search(r'<section id="consulted">(.*?)</section>', html, re.S)
    section = html_lib.unescape(m.group(1))
    counts = a.records["stakeholder_group"].value_counts()
    for group, n in counts.items():
        row = re.search(rf"<tr><td>{re.escape(str(group))}</td><td class=\"num\">([^<]+)</td>",
                        section)
        assert row and int(row.group(1).replace(NNBSP, "")) == n
    # small cells of the group x territory table are masked, and one more so that none of them
    # is the total minus the other cells of its row or column
    cross = pd.crosstab(a.records["stakeholder_group"], a.records["territory"])
    n_small = int(((cross > 0) & (cross < 5)).sum().sum())
    assert n_small == 3  # the sample's group x territory table has three small cells
    assert section.count('masked">s<') == 4
    assert "< 5" not in section


def test_services_table_equals_prevalence(html):
    a = built_wave().analysis
    prev = a.prevalence[a.prevalence["dimension"] == "all"].set_index("code")
    section = re.search(r'<section id="services">(.*?)</section>', html, re.S).group(1)
    for code in a.family_codes("service"):
        label = a.code_label(code, "fr")
        row = re.search(rf"<td>{re.escape(label)}</td><td class=\"num\">([^<]+)</td>"
                        rf"<td class=\"num\">([^<]+)</td>", html_lib.unescape(section))
        assert row, label
        assert int(row.group(1).replace(NNBSP, "")) == prev.loc[code, "count"]
        assert row.group(2) == fmt_pct(prev.loc[code, "share"], "fr")


def test_english_report():
    a = synthetic_analysis()
    html = render_html(a, "en")
    assert 'lang="en"' in html and "Key findings" in html and "Methodology" in html
    assert NNBSP + "%" not in html
    assert "raised by" in html


def test_figures_are_valid_png_at_300_dpi_and_svg():
    built = built_wave()
    folder = built.published["figures"]
    pngs = sorted(folder.glob("*.png"))
    assert [p.stem for p in pngs] == [n for n in FIGURES if (folder / f"{n}.png").exists()]
    assert len(pngs) >= 10
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        i = data.find(b"pHYs")
        ppm = struct.unpack(">I", data[i + 4:i + 8])[0]
        assert round(ppm * 0.0254) == 300
        svg = png.with_suffix(".svg")
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert "Source" in svg.read_text(encoding="utf-8")


def test_figure_functions_draw_on_a_given_axes():
    import matplotlib.pyplot as plt

    a = synthetic_analysis()
    fig, ax = plt.subplots()
    out = FIGURES["05_needs"](a, "fr", ax=ax)
    assert out is fig and fig.axes == [ax]
    assert len(ax.patches) == len(a.family_codes("need")) == 7  # one bar per need, on that axes
    plt.close(fig)


def test_report_command_writes_the_english_report_from_the_saved_analysis(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    built = built_wave()
    shutil.copytree(built.root / "data", tmp_path / "data")
    config = tmp_path / built.config.relative_to(built.root)
    result = CliRunner().invoke(app, ["report", str(config), "--root", str(tmp_path),
                                      "--lang", "en", "--no-notebooks"])
    assert result.exit_code == 0, result.output
    # Not the config's language: beside the French report, in en/, never over it.
    out = tmp_path / "reports" / built.analysis.wave / "en"
    html = (out / "findings.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html and "Key findings" in html
    assert (out / "findings.xlsx").is_file() and (out / "figures" / "05_needs.svg").is_file()
    assert not (out / "notebooks").exists()
    # English was asked for once: the next report without --lang is in the config's French.
    result = CliRunner().invoke(app, ["report", str(config), "--root", str(tmp_path),
                                      "--no-notebooks"])
    assert result.exit_code == 0, result.output
    html = (out.parent / "findings.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html and "Principaux enseignements" in html
    assert 'lang="en"' in (out / "findings.html").read_text(encoding="utf-8")


def test_a_wave_with_little_to_show_still_gets_a_report(tmp_path):
    from dialogue_analysis.analysis import Analysis
    from dialogue_analysis.report import write_analyst_workbook, write_workbook

    records = pd.DataFrame({"record_id": ["a", "b", "c"], "stakeholder_group": ["x", "y", "y"],
                            "territory": ["rural", "urbain", "rural"]})
    a = Analysis(wave="w", settings={"language": "fr", "min_cell_count": 5}, records=records)
    html = render_html(a)
    assert '<section id="key-findings">' in html and '<section id="methodology">' in html
    assert '<section id="typology">' not in html  # nothing to show, no empty section
    import openpyxl

    wb = openpyxl.load_workbook(write_workbook(a, tmp_path / "w.xlsx"))
    assert len(wb.sheetnames) == 15 and wb.sheetnames[:4] == ["Lisez-moi", "Colonnes",
                                                              "Enseignements", "Fréquences"]
    assert "Personnes" not in wb.sheetnames  # published: no row per person
    assert wb["Enseignements"].max_row == 1  # the header only: no finding to publish
    wb = openpyxl.load_workbook(write_analyst_workbook(a, tmp_path))
    assert list(wb["Personnes"].iter_rows(values_only=True)) == [
        ("Identifiant", a.attribute_label("stakeholder_group"), a.attribute_label("territory")),
        ("a", "x", "rural"), ("b", "y", "urbain"), ("c", "y", "rural")]


def test_sample_report_says_there_is_no_clear_typology(html):
    """The sample wave's groups beat the permuted null but are not reproducible: no k is kept,
    the banner counts no groups and the section shows the evidence and the profiles instead."""
    import dataclasses

    from dialogue_analysis.report import render_html, typology_is_clear, typology_verdict

    a = built_wave().analysis
    ev = a.k_evidence
    if not built_wave().full:
        pytest.skip("the sample's own typology needs the full pipeline")
    assert not ev["supported"].any() and not typology_is_clear(a)
    assert ev["beats_null"].any()  # separated better than the null ...
    assert ev["stability"].max() < 0.75  # ... but not stable (measured best about 0.6)
    assert "groupes de besoins" not in html and 'class="card"' not in html
    section = html[html.index('<section id="typology">'):]
    section = section[:section.index("</section>")]
    assert "Pas de typologie nette." in section and "aucun nombre de groupes n'est retenu" in section
    assert "Ce qui distingue les profils" in section and section.count("<li>") >= 3
    assert "09_typology_k_choice" in section and "11_typology_needs" not in section
    ev = ev.sort_values("k").reset_index(drop=True)
    rep = ev[["stability", "seed_agreement"]].min(axis=1)
    best = ev.loc[rep[ev["beats_null"].astype(bool)].idxmax()]
    stab = f"{best['stability']:.2f}".replace(".", ",")
    assert f"la stabilité bootstrap est de {stab}" in section
    assert typology_verdict(a, "en").startswith("No clear typology")
    # The same wave with a k that passes the rule headlines its groups and shows their cards.
    clear = dataclasses.replace(a, k_evidence=ev.assign(supported=ev["k"] == len(a.groups)))
    shown = render_html(clear)
    assert f"<strong>{len(a.groups)}</strong>groupes de besoins" in shown
    assert shown.count('class="card"') == len(a.groups) and "Pas de typologie nette" not in shown
    assert "vt " in shown and "*</span>" in shown  # circular test values are marked


def _consulted(html: str) -> str:
    m = re.search(r'<section id="consulted">(.*?)</section>', html, re.S)
    return html_lib.unescape(m.group(1))


def test_profiles_table_crosses_profile_and_group(html):
    a = built_wave().analysis
    section = _consulted(html)
    table = re.search(r"<caption>Profils des personnes consultées, par groupe[^<]*</caption>"
                      r"(.*?)</table>", section, re.S).group(1)
    cross = pd.crosstab(a.records["profile"].astype(str), a.records["stakeholder_group"].astype(str))
    hidden = hidden_people(a, cross, "profile", "stakeholder_group")
    header = re.findall(r'<th class="num">([^<]+)</th>', table)
    assert header[:-1] and set(header[:-1]) == set(cross.columns) and header[-1] == "Total"
    for profile, counts in cross.iterrows():
        cells = re.search(rf"<tr><td>{re.escape(profile)}</td>(.*?)</tr>", table).group(1)
        shown = re.findall(r'<td class="num[^"]*">([^<]+)</td>', cells)
        expected = [mask_mark("fr") if hidden.loc[profile, g] else str(counts[g])
                    for g in header[:-1]]
        assert shown == expected + [str(counts.sum())], profile


def _with_study(a, **study):
    import dataclasses

    return dataclasses.replace(a, manifest={**a.manifest, "study": study})


def test_no_sentence_about_the_method_unless_the_config_says_it():
    a = synthetic_analysis()
    html = render_html(a, "fr")
    for claim in ("semi-directif", "enquêteurs", "diversité des publics", "pas représentatif"):
        assert claim not in html, claim
    assert "ne dit pas comment les personnes ont été choisies" in html_lib.unescape(html)
    assert "typed up by the interviewers" not in render_html(a, "en")

    said = _with_study(a, unit="respondent", method="consultation en ligne par chatbot",
                       collected_by="un agent conversationnel",
                       selection="participants volontaires")
    html = html_lib.unescape(render_html(said, "fr"))
    banner = re.search(r'<ul class="facts">(.*?)</ul>', html, re.S).group(1)
    assert re.search(r"<strong>200</strong>répondants", banner)
    assert "consultation en ligne par chatbot" in _consulted(html)
    assert re.search(r"<cite>Répondant S\d+, q\d</cite>", html)
    limits = re.search(r'<section id="limitations">(.*?)</section>', html, re.S).group(1)
    assert "200 répondants" in limits and "participants volontaires" in limits
    assert "recueillies par\u00a0: un agent conversationnel" in limits
    assert "ne dit pas comment" not in html


def test_per_question_bases_appear_when_not_everyone_answered():
    import dataclasses

    a = synthetic_analysis()
    assert "base :" not in render_html(a, "fr")  # everyone answered every question
    kept = a.answers[~((a.answers["question_id"] == "q2")
                       & a.answers["record_id"].isin(a.records["record_id"][:80]))]
    html = html_lib.unescape(render_html(dataclasses.replace(a, answers=kept), "fr"))
    assert re.search(r"q2</strong> — [^<]*<span class=\"note\">\(base : 120 sur 200 entretiens ont "
                     r"répondu\)", html)
    assert "base : 200 sur 200 entretiens" in html
    assert "de 120 à 200 entretiens selon la question" in html
