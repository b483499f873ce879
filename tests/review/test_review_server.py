"""The review page's server: token, loopback binding, decisions saved, pseudonymised text only."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
from starlette.testclient import TestClient

from dialogue_analysis.coding import read_decisions
from dialogue_analysis.review import ReviewSession, build_app, make_server, new_token

TOKEN = "t0k3n-for-tests"


@pytest.fixture(scope="module")
def wave(tmp_path_factory):
    """The sample wave with identifiers planted in some answers, analysed."""
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.ingest import load_project
    from tests.analysis_fixtures import IDENTIFIERS, _planted_copy

    root = tmp_path_factory.mktemp("review-server")
    config = _planted_copy(root)
    project = load_project(config)
    analysis = run_analysis(project, root)
    return project, analysis, IDENTIFIERS


@pytest.fixture()
def client(wave):
    project, analysis, _ = wave
    session = ReviewSession.from_analysis(analysis, project.config_path, "ana", target=40)
    session.decisions_file.unlink(missing_ok=True)
    return TestClient(build_app(session, TOKEN)), session


def test_every_request_needs_the_token(client):
    c, session = client
    for path in ("/", "/api/state"):
        assert c.get(path).status_code == 403
        assert c.get(path, params={"token": "wrong"}).status_code == 403
        assert c.get(path, params={"token": TOKEN}).status_code == 200
    assert c.get("/api/state", headers={"X-Review-Token": TOKEN}).status_code == 200
    r = c.post("/api/decide", json={"record_id": "x", "question_id": "q1", "codes": []})
    assert r.status_code == 403 and not session.decisions_file.exists()
    assert len(new_token()) >= 32 and new_token() != new_token()


def test_page_is_self_contained(client):
    c, _ = client
    html = c.get("/", params={"token": TOKEN}).text
    assert "<script>" in html and "<style>" in html
    assert "src=" not in html and "<link" not in html and "http://" not in html
    assert "https://" not in html


def test_state_gives_the_sample_spans_and_progress(client, wave):
    c, session = client
    _, analysis, _ = wave
    state = c.get("/api/state", params={"token": TOKEN}).json()
    assert state["target"] == 40 == len(state["items"]) and state["reviewed"] == 0
    assert {x["code"] for x in state["codebook"]} == set(analysis.codebook["code"])
    keys = zip(analysis.answers["record_id"], analysis.answers["question_id"], strict=True)
    texts = dict(zip(keys,
                     analysis.answers["text"], strict=True))
    n_spans = 0
    for item in state["items"]:
        assert texts[(item["record_id"], item["question_id"])] == item["text"]
        p = analysis.passages
        p = p[(p["record_id"] == item["record_id"]) & (p["question_id"] == item["question_id"])]
        assert sorted(set(item["auto"])) == sorted(set(p["code"]))
        for s in item["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(item["text"])
            n_spans += 1
    assert n_spans > 0


def test_decisions_are_saved_at_once_and_progress_moves(client):
    c, session = client
    state = c.get("/api/state", params={"token": TOKEN}).json()
    coded = next(i for i in state["items"] if len(i["auto"]) >= 2)
    keep, drop = coded["auto"][0], coded["auto"][1]
    extra = next(x["code"] for x in state["codebook"] if x["code"] not in coded["auto"])
    r = c.post("/api/decide", params={"token": TOKEN},
               json={"record_id": coded["record_id"], "question_id": coded["question_id"],
                     "codes": [k for k in coded["auto"] if k != drop] + [extra],
                     "memo": "trop large"})
    assert r.status_code == 200 and r.json()["reviewed"] == 1
    d = read_decisions(session.decisions_file)
    got = dict(zip(d["code"], d["decision"], strict=True))
    assert got[keep] == "confirm" and got[drop] == "remove" and got[extra] == "add"
    assert set(d["reviewer"]) == {"ana"} and set(d["memo"]) == {"trop large"}
    assert not list(session.decisions_file.parent.glob(".*.tmp"))
    item = next(i for i in r.json()["items"] if i["record_id"] == coded["record_id"]
                and i["question_id"] == coded["question_id"])
    assert item["reviewed"] and drop not in item["codes"] and extra in item["codes"]
    before = session.decisions_file.read_bytes()
    bad = c.post("/api/decide", params={"token": TOKEN},
                 json={"record_id": coded["record_id"], "question_id": coded["question_id"],
                       "codes": ["no.such_code"]})
    assert bad.status_code == 400 and session.decisions_file.read_bytes() == before
    outside = c.post("/api/decide", params={"token": TOKEN},
                     json={"record_id": "nobody", "question_id": "q1", "codes": []})
    assert outside.status_code == 400 and session.decisions_file.read_bytes() == before


def test_only_pseudonymised_text_is_served(wave):
    project, analysis, identifiers = wave
    session = ReviewSession.from_analysis(analysis, project.config_path, "ana", target=100_000)
    assert len(session.sample) == (analysis.answers["text"].str.strip() != "").sum()
    body = TestClient(build_app(session, TOKEN)).get(
        "/api/state", params={"token": TOKEN}).text
    raw = pd.read_parquet(next(project.interim_dir(project.config_path.parents[3]).glob(
        "answers*.parquet")))
    assert any(i in t for t in raw["text"] for i in identifiers)  # they were in the raw answers
    state = json.loads(body)
    for ident in identifiers:
        assert ident not in body and all(ident not in i["text"] for i in state["items"])


def test_server_binds_to_loopback_only(client):
    _, session = client
    server = make_server(build_app(session, TOKEN), port=0)
    assert server.config.host == "127.0.0.1"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        assert host == "127.0.0.1"
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 403
        assert httpx.get(f"http://127.0.0.1:{port}/api/state",
                         params={"token": TOKEN}).status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_review_command_says_to_run_first(tmp_path):
    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    runner = CliRunner()
    help_ = runner.invoke(app, ["review", "--help"])
    assert help_.exit_code == 0 and "--reviewer" in help_.output and "127.0.0.1" in help_.output
    config = Path(__file__).resolve().parents[2] / "data" / "raw" / "sample-2018" / "survey.yaml"
    result = runner.invoke(app, ["review", str(config), "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "dialogue-analysis run" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (config.parent / "review").exists()  # nothing written beside the sample


def test_page_suggests_patterns_and_exclusions_and_writes_them_beside(client, wave):
    """Planted decisions: a code added to three answers sharing a word, a code removed where
    the same words fired twice."""
    from collections import Counter

    from dialogue_analysis.coding import suggestions_path

    c, session = client
    project, analysis, _ = wave
    codebook_before = project.codebook_path.read_bytes()
    state = c.get("/api/state", params={"token": TOKEN}).json()
    assert state["suggestions"] == [] and state["suggestions_file"].endswith(".suggestions.csv")
    terms = {(r, q): set(t.split()) for r, q, t in session.terms.itertuples(index=False)}
    items = {(i["record_id"], i["question_id"]): i for i in state["items"]}
    # A word of exactly three answers: over-represented once the code is added to them.
    word = sorted(w for w, n in Counter(w for ws in terms.values() for w in ws).items()
                  if n == 3 and w.isalpha())[0]
    having = [k for k in items if word in terms.get(k, ())]
    extra = next(x["code"] for x in state["codebook"]
                 if not any(x["code"] in items[k]["auto"] for k in having[:3]))
    fired = Counter()  # on answers other than those three, where every code is confirmed
    for k, it in items.items():
        if k in having[:3]:
            continue
        for s in it["spans"]:
            fired[(s["code"], it["text"][s["start"]:s["end"]].lower())] += 1
    (drop, matched), _ = next((x, n) for x, n in fired.most_common() if n >= 2
                              and not any(x[0] in items[k]["auto"] for k in having[:3]))
    removed = [k for k, it in items.items() if k not in having[:3] and any(
        s["code"] == drop and it["text"][s["start"]:s["end"]].lower() == matched
        for s in it["spans"])][:2]
    for k in dict.fromkeys(having[:3] + removed):
        it = items[k]
        codes = [x for x in it["auto"] if not (k in removed and x == drop)]
        codes += [extra] if k in having[:3] else []
        r = c.post("/api/decide", params={"token": TOKEN},
                   json={"record_id": k[0], "question_id": k[1], "codes": codes})
        assert r.status_code == 200
    got = pd.DataFrame(r.json()["suggestions"])
    pattern = got[(got["kind"] == "pattern") & (got["code"] == extra)].set_index("words")
    assert pattern.loc[word, "in_target"] == 3 and pattern.loc[word, "target"] >= 3
    exclusion = got[(got["kind"] == "exclusion") & (got["code"] == drop)].set_index("words")
    assert exclusion.loc[matched, "in_target"] == 2
    path = suggestions_path(project.config_path, project.wave)
    assert path == session.decisions_file.with_name(f"{project.wave}.suggestions.csv")
    written = pd.read_csv(path, keep_default_na=False)
    assert written.to_dict(orient="records") == got.to_dict(orient="records")
    assert project.codebook_path.read_bytes() == codebook_before  # never into the codebook
    path.unlink()


def test_review_of_a_project_matches_the_codebook_again(wave):
    project, analysis, _ = wave
    root = project.config_path.parents[3]
    fresh = ReviewSession.for_project(project, root, "ana", target=40)
    from_tables = ReviewSession.from_analysis(analysis, project.config_path, "ana", target=40)
    assert fresh.sample.equals(from_tables.sample)

    def spans(s):
        return {k: sorted((x["code"], x["start"], x["end"]) for x in v)
                for k, v in s.auto.items() if k in set(zip(s.sample["record_id"],
                                                           s.sample["question_id"], strict=True))}
    assert spans(fresh) == spans(from_tables) and len(spans(fresh)) > 0
