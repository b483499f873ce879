"""The review page in a real browser (Playwright driving the system's Chromium).

A reviewer opens the page of a served review session, confirms a code, removes one, adds one
through the searchable picker, writes a memo and moves on with the keyboard; the decisions file
then holds exactly those decisions, and the next `run` publishes the analyst's codes.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import httpx
import pytest

from dialogue_analysis.coding import read_decisions
from dialogue_analysis.review import LOOPBACK, ReviewSession, serve

pytestmark = pytest.mark.slow

SCREENSHOT = os.environ.get("REVIEW_SCREENSHOT")  # a path: keep a screenshot of the page


def _chromium() -> str:
    """The system's Chromium; missing, the test is skipped, except in CI where it fails."""
    found = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"))
                  if p), None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        message = "no Chromium or no playwright (make install-test-tools, pip install -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The sample wave analysed, and its review page served as `dialogue-analysis review` does."""
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.ingest import load_project
    from tests.analysis_fixtures import _planted_copy

    chromium = _chromium()
    root = tmp_path_factory.mktemp("review-browser")
    config = _planted_copy(root)
    project = load_project(config)
    analysis = run_analysis(project, root)
    session = ReviewSession.for_project(project, root, "ana", target=30)
    session.decisions_file.unlink(missing_ok=True)
    ready = threading.Event()
    servers = []

    def started(server):
        servers.append(server)
        ready.set()

    thread = threading.Thread(target=serve, args=(session, 0), daemon=True,
                              kwargs={"announce": lambda url: None, "ready": started})
    thread.start()
    assert ready.wait(30)
    server = servers[0]
    for _ in range(200):
        if server.server.started:
            break
        threading.Event().wait(0.05)
    yield {"root": root, "config": config, "project": project, "analysis": analysis,
           "session": session, "server": server, "chromium": chromium}
    server.stop()
    thread.join(timeout=10)


def test_server_is_on_loopback_only_and_needs_the_token(served):
    server = served["server"]
    host, port = server.socket.getsockname()[:2]
    assert host == LOOPBACK == "127.0.0.1" and port == server.port > 0
    assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 403
    assert httpx.get(f"http://127.0.0.1:{port}/api/state").status_code == 403
    assert httpx.get(f"http://127.0.0.1:{port}/api/state",
                     params={"token": server.token[:-1]}).status_code == 403
    assert httpx.get(server.url).status_code == 200
    # The machine's other addresses do not answer on that port.
    for address in _other_addresses():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0, address


def _other_addresses() -> list[str]:
    out = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing route
            out.add(s.getsockname()[0])
    except OSError:
        pass
    try:
        out.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return sorted(a for a in out if not a.startswith("127."))


def test_a_reviewer_confirms_removes_adds_and_the_rerun_uses_it(served, tmp_path):
    from playwright.sync_api import sync_playwright

    session, server = served["session"], served["server"]
    state = session.state()
    # The first answer with two automatic codes: one to confirm, one to remove.
    k = next(i for i, it in enumerate(state["items"]) if len(set(it["auto"])) == 2)
    item = state["items"][k]
    keep, drop = item["auto"]
    extra = next(c for c in session.codebook if c["code"] not in item["auto"])
    memo = "Le code retiré ne colle pas ici."

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=served["chromium"],
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            refused = page.goto(server.url.split("?")[0])
            assert refused.status == 403 and "token" in page.inner_text("body")
            page.goto(server.url)
            page.wait_for_selector("#codes li")
            assert page.inner_text("#target") == "30" and page.inner_text("#count") == "0"
            assert page.inner_text("#pos") == "1"
            for _ in range(k):  # the keyboard moves to the answer
                page.keyboard.press("ArrowRight")
            assert page.inner_text("#pos") == str(k + 1)
            assert page.inner_text("#answer") == item["text"]
            assert page.locator("#answer mark").count() >= 1
            listed = page.locator("#codes li[data-code]")
            assert [listed.nth(i).get_attribute("data-code") for i in range(2)] == [keep, drop]
            page.keyboard.press("2")  # remove the second code
            assert "removed" in page.locator(f'#codes li[data-code="{drop}"]').get_attribute(
                "class")
            page.keyboard.press("/")  # the searchable picker
            page.keyboard.type(extra["label"])
            page.locator(f'#results button[data-code="{extra["code"]}"]').click()
            assert page.locator(f'#codes li[data-code="{extra["code"]}"] input').is_checked()
            assert page.locator(f'#codes li[data-code="{keep}"] input').is_checked()
            page.fill("#memo", memo)
            page.keyboard.press("Control+Enter")  # save and move on
            page.wait_for_function("document.getElementById('count').textContent === '1'")
            assert page.inner_text("#pos") == str(k + 2)
            assert page.inner_text("#status") == "enregistré"
            page.keyboard.press("Escape")
            page.keyboard.press("ArrowLeft")
            assert page.inner_text("#pos") == str(k + 1)
            assert "relue" in page.inner_text("#state")
            assert page.input_value("#memo") == memo
            # One answer reviewed: too little for a codebook suggestion, and the panel says so.
            assert "Aucune suggestion" in page.inner_text("#suggestions")
            assert page.inner_text("#suggfile") == session.suggestions_file.name
            if SCREENSHOT:
                page.screenshot(path=SCREENSHOT, full_page=True)
        finally:
            browser.close()

    d = read_decisions(session.decisions_file)
    assert sorted(zip(d["record_id"], d["question_id"], d["code"], d["decision"],
                      d["reviewer"], d["memo"], strict=True)) == sorted(
        (item["record_id"], item["question_id"], c, dec, "ana", memo)
        for c, dec in [(keep, "confirm"), (drop, "remove"), (extra["code"], "add")])

    assert session.suggestions_file.is_file()  # written beside the decisions
    _rerun(served["config"], served["root"])
    from dialogue_analysis.analysis import load_analysis

    p = load_analysis(served["project"], served["root"]).passages
    mine = p[(p["record_id"] == item["record_id"]) & (p["question_id"] == item["question_id"])]
    origin = mine.groupby("code")["origin"].agg(set).to_dict()
    assert origin == {keep: {"codebook"}, extra["code"]: {"analyst"}}
    added = mine[mine["code"] == extra["code"]].iloc[0]
    assert (added.start, added.end) == (0, len(item["text"]))


def _rerun(config: Path, root: Path) -> None:
    from typer.testing import CliRunner

    from dialogue_analysis.cli import app

    result = CliRunner().invoke(app, ["run", str(config), "--root", str(root),
                                      "--no-notebooks", "--no-exports"])
    assert result.exit_code == 0, result.output
