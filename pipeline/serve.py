"""`serve`: preview the built site on this machine (never on other interfaces by default).

A plain `http.server` over the output directory. `/` is the site's root page, the language
chooser the build writes, as a deployed server would serve it; a site without one (no home page)
redirects `/` to the source locale's home page.
"""

from __future__ import annotations

from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.config import DEFAULT_HOST, DEFAULT_PORT


class PreviewHandler(SimpleHTTPRequestHandler):
    """Files under the output directory; `/` → `/<home>` when there is no root page; no
    caching, quiet unless asked."""

    home = "en/index.html"
    verbose = False

    def __init__(self, *args: Any, home: str, verbose: bool, **kwargs: Any) -> None:
        self.home = home
        self.verbose = verbose
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        root_page = Path(self.directory, "index.html")
        if self.path.split("?", 1)[0] in ("", "/") and not root_page.is_file():
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/" + self.home)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose:
            super().log_message(format, *args)


def preview_server(
    directory: Path,
    *,
    source_locale: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    verbose: bool = False,
) -> ThreadingHTTPServer:
    """A server (not yet serving) for `directory`; port 0 picks a free one."""
    handler = partial(
        PreviewHandler,
        directory=str(directory),
        home=f"{source_locale}/index.html",
        verbose=verbose,
    )
    return ThreadingHTTPServer((host, port), handler)


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = host.decode() if isinstance(host, bytes) else host
    return f"http://{shown}:{port}/"
