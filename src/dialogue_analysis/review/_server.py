"""The review page: a small ASGI app served on the loopback interface only.

Every request must carry the session's random token (``?token=`` or the ``X-Review-Token``
header); the page, its script and its style are one bundled file (works offline). The app
serves only the pseudonymised answers of the published analysis, never data/interim.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ..coding import decisions_path, read_decisions, submit_answer
from ._sample import DEFAULT_TARGET, review_sample

LOOPBACK = "127.0.0.1"
TOKEN_HEADER = "x-review-token"


@dataclass
class ReviewSession:
    """What the page shows: the sample, its automatic codes, the codebook, the decisions file."""

    sample: pd.DataFrame
    auto: dict  # (record_id, question_id) -> list of {code, start, end}
    codebook: list[dict]
    questions: dict[str, str]
    decisions_file: Path
    reviewer: str
    target: int

    @classmethod
    def from_analysis(cls, analysis, config_path, reviewer: str,
                      target: int = DEFAULT_TARGET) -> ReviewSession:
        seed = int(analysis.settings.get("seed", 0))
        sample = review_sample(analysis.answers, target=target, seed=seed)
        p = analysis.passages
        if "origin" in p:
            p = p[p["origin"] == "codebook"]
        auto: dict = {}
        for r in p.itertuples(index=False):
            auto.setdefault((str(r.record_id), str(r.question_id)), []).append(
                {"code": r.code, "start": int(r.start), "end": int(r.end)})
        lang = analysis.language
        codebook = [{"code": c, "family": f, "label": analysis.code_label(c, lang),
                     "family_label": fl}
                    for c, f, fl in zip(analysis.codebook["code"], analysis.codebook["family"],
                                        analysis.codebook.get(f"family_label_{lang}",
                                                              analysis.codebook["family"]),
                                        strict=True)]
        questions = dict(zip(analysis.questions["question_id"].astype(str),
                             analysis.questions["label"].astype(str), strict=True))
        path = decisions_path(config_path, analysis.wave)
        return cls(sample, auto, codebook, questions, path, reviewer, len(sample))

    def state(self) -> dict:
        """The sample with each answer's automatic codes and this reviewer's decisions."""
        codes = [c["code"] for c in self.codebook]
        d = read_decisions(self.decisions_file, codes=codes)
        mine = d[d["reviewer"] == self.reviewer]
        items = []
        for r in self.sample.itertuples(index=False):
            key = (r.record_id, r.question_id)
            done = mine[(mine["record_id"] == r.record_id) & (mine["question_id"] == r.question_id)]
            spans = self.auto.get(key, [])
            # Codes the codebook gave when the answer was reviewed, even if a run has since
            # applied their removal.
            auto = list(dict.fromkeys([s["code"] for s in spans] + done.loc[
                done["decision"].isin(["confirm", "remove"]), "code"].tolist()))
            items.append({
                "record_id": r.record_id, "question_id": r.question_id,
                "question": self.questions.get(r.question_id, r.question_id), "text": r.text,
                "spans": spans, "auto": auto, "reviewed": not done.empty,
                "codes": done.loc[done["decision"].isin(["confirm", "add"]), "code"].tolist()
                if not done.empty else auto,
                "memo": str(done["memo"].iloc[0]) if not done.empty else ""})
        return {"reviewer": self.reviewer, "target": self.target, "items": items,
                "codebook": self.codebook,
                "reviewed": int(sum(i["reviewed"] for i in items))}

    def submit(self, record_id: str, question_id: str, codes: list[str], memo: str) -> None:
        key = (str(record_id), str(question_id))
        row = self.sample[(self.sample["record_id"] == key[0])
                          & (self.sample["question_id"] == key[1])]
        if row.empty:
            raise KeyError(f"answer {key} is not in the review sample")
        known = {c["code"] for c in self.codebook}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ValueError(f"unknown code(s) {unknown}")
        item = next(i for i in self.state()["items"]
                    if (i["record_id"], i["question_id"]) == key)
        submit_answer(self.decisions_file, key[0], key[1], self.reviewer, item["auto"],
                      list(codes), memo=memo)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def page_html() -> str:
    return resources.files("dialogue_analysis").joinpath("templates/review.html").read_text(
        encoding="utf-8")


def build_app(session: ReviewSession, token: str):
    """The Starlette app of a review session; requests without ``token`` get 403."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    class TokenRequired(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER, "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return PlainTextResponse("token required", status_code=403)
            return await call_next(request)

    async def page(request):
        return HTMLResponse(page_html(), headers={"Cache-Control": "no-store",
                                                  "Referrer-Policy": "no-referrer"})

    async def state(request):
        return JSONResponse(session.state(), headers={"Cache-Control": "no-store"})

    async def decide(request):
        body = await request.json()
        try:
            session.submit(body["record_id"], body["question_id"], list(body.get("codes", [])),
                           str(body.get("memo", "")))
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(session.state(), headers={"Cache-Control": "no-store"})

    return Starlette(routes=[Route("/", page), Route("/api/state", state),
                             Route("/api/decide", decide, methods=["POST"])],
                     middleware=[Middleware(TokenRequired)])


def make_server(app, port: int = 0):
    """A uvicorn server for ``app`` bound to 127.0.0.1 (never another interface)."""
    import uvicorn

    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning",
                            access_log=False)
    return uvicorn.Server(config)


class ReviewServer:
    """A review session's server, its socket already bound to 127.0.0.1 (``port`` 0: a free
    port) and its URL with a new token; :meth:`run` serves until :meth:`stop` or Ctrl+C."""

    def __init__(self, session: ReviewSession, port: int = 0):
        self.token = new_token()
        self.server = make_server(build_app(session, self.token), port)
        self.server.config.load()
        self.socket = self.server.config.bind_socket()
        self.host, self.port = self.socket.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}/?token={self.token}"

    def run(self) -> None:
        self.server.run(sockets=[self.socket])

    def stop(self) -> None:
        self.server.should_exit = True


def serve(session: ReviewSession, port: int = 0, announce=print, ready=None) -> None:
    """Serve the review page until Ctrl+C; ``announce`` gets its URL (with a new token),
    ``ready`` (optional) the :class:`ReviewServer` before it starts serving."""
    server = ReviewServer(session, port)
    announce(server.url)
    if ready is not None:
        ready(server)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
