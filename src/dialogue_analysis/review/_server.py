"""The review page: a small ASGI app served on the loopback interface only.

Every request must carry the session's random token (``?token=`` or the ``X-Review-Token``
header); the page, its script and its style are one bundled file (works offline). The app
serves only the pseudonymised answers of the published analysis, never data/interim.
"""

from __future__ import annotations

import secrets
from importlib import resources

from ._session import ReviewSession

LOOPBACK = "127.0.0.1"
TOKEN_HEADER = "x-review-token"


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
