"""REFI-QDA project and codebook, IRaMuTeQ corpus: written, then read back."""

import re
import zipfile
from pathlib import Path

import pytest
import yaml

from dialogue_analysis.coding import parse_codebook
from dialogue_analysis.report import import_codebook, write_analyst_exports
from tests.analysis_fixtures import IDENTIFIERS, built_wave

REPO = Path(__file__).resolve().parents[2]
XSD = REPO.parent / "shared" / "interop" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    built = built_wave()
    folder = tmp_path_factory.mktemp("exports") / "exports"
    return write_analyst_exports(built.analysis, folder, identifiers=IDENTIFIERS)


@pytest.fixture(scope="module")
def project(exports):
    from lxml import etree

    with zipfile.ZipFile(exports["qdpx"]) as zf:
        raw = zf.read("project.qde")
        sources = {n: zf.read(n) for n in zf.namelist() if n.startswith("sources/")}
    return raw, etree.fromstring(raw), sources


def test_project_is_valid_against_the_refi_qda_schema(project):
    from lxml import etree

    if not XSD.is_file():
        pytest.skip("Project.xsd is absent")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    raw, root, sources = project
    assert schema.validate(root), schema.error_log
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert all(not b.startswith(b"\xef\xbb\xbf") for b in sources.values())


def test_every_passage_is_a_selection_at_its_code_point_positions(project):
    a = built_wave().analysis
    raw, root, sources = project
    codes = {c.get("guid"): c for c in root.iterfind(".//q:Code", NS)}
    answers = a.answers.set_index(["record_id", "question_id"])["text"]
    found = set()
    for src in root.iterfind(".//q:TextSource", NS):
        text = sources["sources/" + src.get("plainTextPath").split("//")[1]].decode("utf-8")
        rid, qid = src.get("name").split(" ")
        assert text == answers.loc[(rid, qid)]  # the pseudonymised answer
        for sel in src.iterfind("q:PlainTextSelection", NS):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            code = codes[sel.find("q:Coding/q:CodeRef", NS).get("targetGUID")]
            assert code.get("isCodable") == "true"
            code_id = code.find("q:Description", NS).text.split("\n")[0].removeprefix("code: ")
            assert "origin: codebook" in sel.find("q:Description", NS).text
            found.add((rid, qid, code_id, start, end))
            assert text[start:end].strip()
    expected = {(str(p.record_id), str(p.question_id), str(p.code), int(p.start), int(p.end))
                for p in a.passages.itertuples()}
    assert found == expected and len(found) > 100
    # families are parent codes, not codable themselves
    tops = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert {t.get("isCodable") for t in tops} == {"false"}
    assert len(tops) == a.codebook["family"].nunique()


def test_cases_carry_the_attributes_as_variables(project):
    a = built_wave().analysis
    _, root, _ = project
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    cases = root.findall(".//q:Case", NS)
    assert len(cases) == len(a.records)
    rec = a.records.set_index("record_id")
    for case in cases[:20]:
        for vv in case.iterfind("q:VariableValue", NS):
            name = variables[vv.find("q:VariableRef", NS).get("targetGUID")]
            assert vv.find("q:TextValue", NS).text == str(rec.loc[case.get("name"), name])


def test_exports_are_deterministic_and_hold_no_identifier(exports, tmp_path):
    again = write_analyst_exports(built_wave().analysis, tmp_path / "again")
    for key, path in exports.items():
        assert path.read_bytes() == again[key].read_bytes(), key
    with zipfile.ZipFile(exports["qdpx"]) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    text += exports["iramuteq"].read_text(encoding="utf-8")
    for ident in IDENTIFIERS:
        assert ident not in text


def test_exports_built_beforehand_are_published_as_written_at_once(exports, tmp_path):
    # a run builds them as soon as its typology is made, from the tables they read alone
    from dialogue_analysis.analysis import Analysis
    from dialogue_analysis.report import build_analyst_exports, inputs_hash

    a = built_wave().analysis
    tables = ("records", "answers", "passages", "codebook", "questions")
    partial = Analysis(wave=a.wave, settings=a.settings, **{t: getattr(a, t) for t in tables})
    built = build_analyst_exports(partial, tmp_path / ".built", identifiers=IDENTIFIERS)
    published = write_analyst_exports(a, tmp_path / "exports", identifiers=IDENTIFIERS,
                                      built=built, tables=inputs_hash(a, a.language))
    assert not built.exists()
    for key, path in exports.items():
        assert path.read_bytes() == published[key].read_bytes(), key
    record = ".inputs.json"
    assert (path.parent / record).read_bytes() == (published[key].parent / record).read_bytes()


def test_codebook_round_trips_through_a_qdc(exports):
    a = built_wave().analysis
    imported = import_codebook(exports["qdc"])
    from dialogue_analysis.report import codebook_yaml

    text = codebook_yaml(imported, "sample.qdc")
    assert text.count("TO REVIEW: proposed patterns") == len(a.codebook)
    cb = parse_codebook(yaml.safe_load(text))  # loads as a codebook the coding stage accepts
    assert set(cb.code_ids) == set(a.codebook["code"].astype(str))  # same ids back


def test_a_codebook_written_by_another_tool_imports(tmp_path):
    qdc = tmp_path / "nvivo.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14"><Codes>'
        '<Code guid="2a9e2b8c-1b0e-4c43-9a1e-0c4f2b7f1a01" name="Freins" isCodable="true">'
        '<Description>Ce qui empêche les démarches</Description>'
        '<Code guid="2a9e2b8c-1b0e-4c43-9a1e-0c4f2b7f1a02" name="Coût de l\'équipement" '
        'isCodable="true"><Description>Prix du forfait, de l\'ordinateur</Description>'
        '<Code guid="2a9e2b8c-1b0e-4c43-9a1e-0c4f2b7f1a03" name="Forfait mobile" '
        'isCodable="true"/></Code></Code>'
        '<Code guid="2a9e2b8c-1b0e-4c43-9a1e-0c4f2b7f1a04" name="Confiance" isCodable="true"/>'
        '</Codes></CodeBook>', encoding="utf-8")
    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    target = tmp_path / "codebook.yaml"
    result = CliRunner().invoke(app, ["import-codebook", str(qdc), str(target)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    freins = data["families"]["freins"]
    assert freins["description"] == "Ce qui empêche les démarches"
    assert set(freins["codes"]) == {"cout_de_l_equipement", "forfait_mobile"}
    assert freins["codes"]["forfait_mobile"]["label_fr"] == "Coût de l'équipement / Forfait mobile"
    assert "forfait" in freins["codes"]["cout_de_l_equipement"]["patterns"]["lemmas"]
    assert list(data["families"]["imported"]["codes"]) == ["confiance"]
    parse_codebook(data)
    again = CliRunner().invoke(app, ["import-codebook", str(qdc), str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
    assert "Traceback" not in again.output


# -- IRaMuTeQ ---------------------------------------------------------------------------------

STARRED = re.compile(r"^\*{4}((?: \*[^\s_*]+_\S+)*)\s*$")


def read_iramuteq(text: str) -> list[dict]:
    """A reader following IRaMuTeQ's rules: a text starts at a ``****`` line whose words are
    ``*variable_modality`` (variable without ``_``, modality without space); ``-*theme`` lines
    open a thematic part; any other line is text."""
    texts = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("****"):
            m = STARRED.match(line)
            assert m, f"line {n}: bad starred line {line!r}"
            variables = dict(w[1:].split("_", 1) for w in m.group(1).split())
            texts.append({"variables": variables, "themes": {}, "theme": None})
        elif line.startswith("-*"):
            assert re.fullmatch(r"-\*\w+", line), f"line {n}: bad theme {line!r}"
            texts[-1]["theme"] = line[2:]
            texts[-1]["themes"][line[2:]] = ""
        elif line.strip():
            assert texts, f"line {n}: text before the first starred line"
            assert "*" not in line, f"line {n}: star in the text"
            texts[-1]["themes"][texts[-1]["theme"]] = line
    return texts


def test_iramuteq_corpus_reads_back_to_the_interviews_and_variables(exports):
    from dialogue_analysis.report import modality, variable_name

    a = built_wave().analysis
    raw = exports["iramuteq"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    texts = read_iramuteq(raw.decode("utf-8"))
    answered = a.answers[a.answers["text"].astype(str).str.strip() != ""]
    assert [t["variables"]["id"] for t in texts] == [
        r for r in a.records["record_id"].astype(str) if r in set(answered["record_id"])]
    rec = a.records.set_index("record_id")
    for t in texts:
        rid = t["variables"]["id"]
        assert t["variables"][variable_name("stakeholder_group")] == \
            modality(rec.loc[rid, "stakeholder_group"])
        mine = answered[answered["record_id"] == rid]
        assert set(t["themes"]) == set(mine["question_id"].astype(str))
    first = texts[0]
    q = next(iter(first["themes"]))
    original = answered.set_index(["record_id", "question_id"]).loc[
        (first["variables"]["id"], q), "text"]
    assert first["themes"][q].split()[:5] == str(original).split()[:5]


def test_export_command_writes_one_file_from_the_saved_analysis(exports):
    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    built = built_wave()
    result = CliRunner().invoke(app, ["export", str(built.config), "--to", "qdc",
                                      "--root", str(built.root)])
    assert result.exit_code == 0, result.output
    written = built.root / "data" / "processed" / built.analysis.wave / "exports" / \
        exports["qdc"].name
    assert written.read_bytes() == exports["qdc"].read_bytes()
    assert not list(written.parent.glob(".export-*"))  # no staging folder left
    bad = CliRunner().invoke(app, ["export", str(built.config), "--to", "pdf",
                                   "--root", str(built.root)])
    assert bad.exit_code != 0 and "docx, pptx, qdpx, qdc, iramuteq" in bad.output
    assert "Traceback" not in bad.output


def test_a_qdpx_coded_by_people_comes_back_as_review_decisions(exports, tmp_path):
    from lxml import etree

    from dialogue_analysis.coding import evaluate_coding
    from dialogue_analysis.report import read_qdpx_decisions

    a = built_wave().analysis
    same = read_qdpx_decisions(exports["qdpx"], a.codebook)
    agreement = evaluate_coding(a.passages, same).set_index("code")
    assert agreement.loc["micro", "f1"] == pytest.approx(1.0)  # round trip: same passages
    # an analyst removes every coding of one code in the QDA tool
    with zipfile.ZipFile(exports["qdpx"]) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(parts["project.qde"])
    dropped = str(a.passages["code"].value_counts().index[0])
    target = next(c.get("guid") for c in root.iterfind(".//q:Code", NS)
                  if (c.findtext("q:Description", "", NS)).startswith(f"code: {dropped}"))
    for ref in root.xpath(".//q:CodeRef[@targetGUID=$g]", namespaces=NS, g=target):
        sel = ref.getparent().getparent()
        sel.getparent().remove(sel)
    parts["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(edited, "w") as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    decisions = read_qdpx_decisions(edited, a.codebook)
    assert not any(dropped in c for c in decisions["codes"])
    agreement = evaluate_coding(a.passages, decisions).set_index("code")
    assert agreement.loc[dropped, "precision"] == 0
    assert agreement.loc["micro", "f1"] < 1


def test_each_origin_of_the_passages_codes_as_its_own_user():
    import dataclasses

    from lxml import etree

    from dialogue_analysis.report import project_xml

    a = built_wave().analysis
    origins = ["learned" if i % 5 == 0 else "codebook" for i in range(len(a.passages))]
    b = dataclasses.replace(a, passages=a.passages.assign(origin=origins))
    root = etree.fromstring(project_xml(b)[0])
    if XSD.is_file():
        assert etree.XMLSchema(etree.parse(str(XSD))).validate(root)
    users = {u.get("guid"): u.get("id") for u in root.iterfind(".//q:User", NS)}
    assert sorted(users.values()) == ["codebook", "learned"]
    made = [users[c.get("creatingUser")] for c in root.iterfind(".//q:Coding", NS)]
    assert made.count("learned") == origins.count("learned")


def test_review_decisions_are_codings_by_their_reviewer_and_come_back(tmp_path):
    """Two reviewers' decisions: each is a user coding the passages they kept (at the
    passages' own positions) and the whole answer for a code they added; read back by
    reviewer, each finds their own codes on their own answers."""
    import pandas as pd
    from lxml import etree

    from dialogue_analysis.coding import DECISION_COLUMNS, reviewed_codes
    from dialogue_analysis.report import read_qdpx_decisions, write_qdpx

    a = built_wave().analysis
    p = a.passages.astype({"record_id": str, "question_id": str})
    by_answer = p.groupby(["record_id", "question_id"])["code"].agg(lambda c: sorted(set(c)))
    answers = by_answer[by_answer.map(len) >= 2].index[:3]
    all_codes = sorted(a.codebook["code"].astype(str))
    rows = []
    (r1, q1), (r2, q2), (r3, q3) = answers
    for c in by_answer[(r1, q1)]:
        rows.append((r1, q1, c, "confirm", "A.B.", "2026-01-01T10:00:00Z"))
    first, *rest = by_answer[(r2, q2)]
    rows.append((r2, q2, first, "remove", "A.B.", "2026-01-01T10:01:00Z"))
    rows += [(r2, q2, c, "confirm", "A.B.", "2026-01-01T10:01:00Z") for c in rest]
    added = next(c for c in all_codes if c not in by_answer[(r3, q3)])
    rows.append((r3, q3, added, "add", "A.B.", "2026-01-01T10:02:00Z"))
    rows.append((r1, q1, by_answer[(r1, q1)][0], "confirm", "C.D.", "2026-01-02T09:00:00Z"))
    decisions = pd.DataFrame([(*r, "") for r in rows], columns=DECISION_COLUMNS)

    path = write_qdpx(a, tmp_path / "reviewed.qdpx", decisions=decisions)
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    if XSD.is_file():
        assert etree.XMLSchema(etree.parse(str(XSD))).validate(root)
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    assert {"A.B.", "C.D."} <= set(users.values())
    spans = {(r, q, c): {(s, e) for s, e in zip(g["start"], g["end"], strict=True)}
             for (r, q, c), g in p.groupby(["record_id", "question_id", "code"])}
    code_of = {c.get("guid"): c.findtext("q:Description", "", NS).split("\n")[0][6:]
               for c in root.iterfind(".//q:Code", NS)}
    for sel in root.iterfind(".//q:PlainTextSelection", NS):
        rid, qid = sel.getparent().get("name").split(" ")
        for coding in sel.iterfind("q:Coding", NS):
            if users[coding.get("creatingUser")] not in ("A.B.", "C.D."):
                continue
            code = code_of[coding.find("q:CodeRef", NS).get("targetGUID")]
            span = (int(sel.get("startPosition")), int(sel.get("endPosition")))
            if (rid, qid, code) in spans:  # a passage the reviewer kept: its own place
                assert span in spans[(rid, qid, code)]
            else:
                assert code == added and span[0] == 0

    back = read_qdpx_decisions(path, a.codebook, by_reviewer=True)
    assert set(back["reviewer"]) == {"A.B.", "C.D."}
    for reviewer in ("A.B.", "C.D."):
        expected = {k: tuple(sorted(v)) for k, v in
                    reviewed_codes(decisions, reviewer=reviewer).items()}
        got = back[back["reviewer"] == reviewer]
        assert {(r, q): c for r, q, c in zip(got["record_id"], got["question_id"], got["codes"],
                                             strict=True)} == expected
    removed = back[(back["reviewer"] == "A.B.") & (back["record_id"] == r2)
                   & (back["question_id"] == q2)]
    assert first not in removed["codes"].iloc[0]


def test_an_export_in_another_language_goes_beside_the_report(tmp_path):
    """`export --to pptx --lang en` writes reports/<wave>/en/findings.pptx, never over the
    config's language's deck."""
    from pptx import Presentation
    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    built = built_wave()
    french = built.published["pptx"]
    before = french.read_bytes()
    result = CliRunner().invoke(app, ["export", str(built.config), "--to", "pptx",
                                      "--lang", "en", "--root", str(built.root)])
    assert result.exit_code == 0, result.output
    english = french.parent / "en" / "findings.pptx"
    assert french.read_bytes() == before
    titles = [s.shapes.title.text for s in Presentation(str(english)).slides]
    assert titles[1] == "Who was consulted, and how"


def test_exports_do_not_depend_on_the_order_of_the_rows():
    # the exports sort the answers and passages once for the whole wave: rows in another order
    # give the same corpus (each interview's answers in question order) and the same project
    import dataclasses

    from lxml import etree

    from dialogue_analysis.report import corpus_text, project_xml

    a = built_wave().analysis
    shuffled = dataclasses.replace(
        a, answers=a.answers.sample(frac=1, random_state=1),
        passages=a.passages.sample(frac=1, random_state=2))
    assert corpus_text(shuffled) == corpus_text(a)
    order = a.questions["question_id"].astype(str).tolist()
    for t in read_iramuteq(corpus_text(a)):
        themes = list(t["themes"])
        assert len(themes) > 1 and themes == sorted(themes, key=order.index)
    b = dataclasses.replace(a, passages=shuffled.passages)
    xml = project_xml(b)[0]
    assert xml == project_xml(a)[0]
    for source in etree.fromstring(xml).iterfind(".//q:TextSource", NS):
        spans = [(int(s.get("startPosition")), int(s.get("endPosition")))
                 for s in source.iterfind("q:PlainTextSelection", NS)]
        assert spans == sorted(spans)


def test_the_project_built_a_block_of_answers_at_a_time_is_the_same_file(monkeypatch, tmp_path):
    """The cases and sources are built and written a block at a time (bounded memory on a
    national consultation): blocks of 7 give the bytes of one block holding every answer."""
    from dialogue_analysis.report import write_qdpx

    a = built_wave().analysis
    assert len(a.records) > 7 * 10 and len(a.answers) > 7 * 10 and len(a.passages) > 100
    files = {}
    for block in (10**9, 7):
        monkeypatch.setattr("dialogue_analysis.report._qdpx.BLOCK", block)
        files[block] = write_qdpx(a, tmp_path / f"{block}.qdpx").read_bytes()
    assert files[7] == files[10**9]
    with zipfile.ZipFile(tmp_path / "7.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert qde.count("<Case ") == len(a.records)
    assert qde.count("<TextSource ") == (a.answers["text"].astype(str).str.strip() != "").sum()


def test_the_iramuteq_corpus_written_a_record_at_a_time_is_the_corpus(monkeypatch, tmp_path):
    """The corpus is written an interview at a time, its records made into rows a block at a
    time: the file holds the bytes of the whole corpus made at once, whatever the block."""
    from dialogue_analysis.report import corpus_text, write_iramuteq

    a = built_wave().analysis
    whole = corpus_text(a)
    assert whole.count("**** ") == a.answers["record_id"].nunique() > 7 * 10
    for block in (10**9, 7):
        monkeypatch.setattr("dialogue_analysis.report._iramuteq._BLOCK", block)
        path = write_iramuteq(a, tmp_path / f"{block}.txt")
        assert path.read_bytes() == whole.encode("utf-8")


def test_rows_read_column_by_column_are_those_pandas_gives():
    import numpy as np
    import pandas as pd

    from dialogue_analysis.report._rows import row_dicts

    df = pd.DataFrame({
        "text": pd.array(["x", None, "z"], dtype="string[pyarrow]"),
        "n": [1, 2, 3], "share": [1.5, np.nan, 2.0],
        "date": pd.to_datetime(["2020-01-01", None, "2021-01-01"]),
        0: ["p", "q", None],
        "group": pd.Categorical(["u", "v", None]),
        "count": pd.array([1, None, 3], dtype="Int64"),
    })
    assert repr(row_dicts(df)) == repr(df.to_dict("records"))
    assert row_dicts(df.iloc[:0]) == [] and row_dicts(df[[]]) == [{}, {}, {}]


NASTY = ['a & b < c > d "e" \'f\'', "ligne\nsuite\r\nfin\ttab", "é à ç œ 😀 𝔘", "]]> <!-- -->",
         " lead & trail ", "&amp; déjà", "\u00a0nbsp\u2028ls\u0085nel", "ok"]


def _nasty_wave():
    """The test wave with every character XML escapes in its values, ids, origins and
    reviewers' names."""
    import dataclasses

    import pandas as pd

    from dialogue_analysis.coding import DECISION_COLUMNS

    a = built_wave().analysis
    records = a.records.copy()
    column = next(c for c in records.columns
                  if c not in ("record_id", "typology_group") and not str(c).startswith("_"))
    records[column] = [NASTY[i % len(NASTY)] for i in range(len(records))]
    records["note libre"] = [NASTY[(i + 3) % len(NASTY)] if i % 4 else None
                             for i in range(len(records))]
    rid = {r: f"{r}&<\"{i % 3}\">" if i % 9 == 0 else r
           for i, r in enumerate(records["record_id"].astype(str))}
    records["record_id"] = records["record_id"].astype(str).map(rid)
    origins = ["learned & <co>" if i % 5 == 0 else "analyst\t\"q\"\n" if i % 7 == 0
               else "codebook" for i in range(len(a.passages))]
    passages = a.passages.assign(origin=origins,
                                 record_id=a.passages["record_id"].astype(str).map(rid))
    answers = a.answers.assign(record_id=a.answers["record_id"].astype(str).map(rid))
    by_answer = passages.groupby(["record_id", "question_id"])["code"].agg(
        lambda c: sorted(set(c)))
    (r1, q1), (r2, q2) = by_answer.index[:2]
    added = next(c for c in sorted(a.codebook["code"].astype(str)) if c not in by_answer[(r2, q2)])
    decisions = pd.DataFrame(
        [(r1, q1, by_answer[(r1, q1)][0], "confirm", 'R&D <"x">\t', "2026-01-01T10:00:00Z", ""),
         (r2, q2, added, "add", "A.B.\r\n", "2026-01-01T10:01:00Z", "")],
        columns=DECISION_COLUMNS)
    return dataclasses.replace(a, records=records, passages=passages, answers=answers), decisions


def test_cases_and_sources_are_written_as_lxml_writes_a_tree():
    """The cases and sources are written as text, not as elements: read back and written
    again by lxml, the project is the same bytes, so every value is escaped as libxml2 escapes
    it (an attribute's tab or line break left raw would read back as a space)."""
    from lxml import etree

    from dialogue_analysis.report import project_xml

    a, decisions = _nasty_wave()
    xml = project_xml(a, "fr", decisions)[0]
    root = etree.fromstring(xml)
    assert etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True) == xml
    if XSD.is_file():
        assert etree.XMLSchema(etree.parse(str(XSD))).validate(root)
    names = {c.get("name") for c in root.iterfind(".//q:Case", NS)}
    assert set(a.records["record_id"]) == names  # ids with & < " > read back as they were
    values = {v.text for v in root.iterfind(".//q:TextValue", NS)}
    assert {n for n in NASTY if n.strip()} <= {v for v in values if v}
    users = {u.get("id") for u in root.iterfind(".//q:User", NS)}
    assert {"learned & <co>", "analyst\t\"q\"\n", 'reviewer:R&D <"x">\t',
            "reviewer:A.B.\r\n"} <= users


def test_a_value_xml_cannot_hold_is_refused_as_lxml_refuses_it():
    import dataclasses

    from dialogue_analysis.report import project_xml

    a, _ = _nasty_wave()
    records = a.records.copy()
    records.loc[records.index[1], "note libre"] = "bip\x07"
    with pytest.raises(ValueError, match="XML compatible"):
        project_xml(dataclasses.replace(a, records=records))
