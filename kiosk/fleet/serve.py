"""`kiosk fleet serve`: the page over HTTP, read-only, regenerated every 30 s.

The standard library's HTTP server serves the page's folder and nothing else: GET and HEAD
only, no directory listings, no dot-files (the page's marker, its temporary files), with
the same Content-Security-Policy as the page itself. It binds to 127.0.0.1 unless told
otherwise (a reverse proxy or an SSH tunnel is the way to share it). The page is generated
once before the first request is answered, then every `every` seconds on its own thread;
files are replaced atomically, so a request never gets half of one. SIGTERM and Ctrl-C stop it.
"""

from __future__ import annotations

import functools
import http.server
import logging
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.fleet.page.site import PageError, generate, remove
from kiosk.fleet.registry import FleetError
from kiosk.fleet.snapshot import take

log = logging.getLogger(__name__)

Out = Callable[[str], None]
EVERY_S = 30.0
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ReadOnlyHandler(http.server.SimpleHTTPRequestHandler):
    server_version = "kiosk-fleet"
    sys_version = ""

    def send_head(self) -> Any:
        parts = self.path.split("?", 1)[0].split("#", 1)[0].split("/")
        if any(p.startswith(".") for p in parts):
            self.send_error(404)
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> None:
        self.send_error(404)
        return None

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def serve(
    root: Path,
    home: Path | None,
    offline_after: float,
    bind: str,
    port: int,
    out_dir: Path | None,
    out: Out,
    every: float = EVERY_S,
    stop: threading.Event | None = None,
) -> int:
    stop = stop or threading.Event()
    folder = out_dir or Path(tempfile.mkdtemp(prefix="kiosk-fleet-page-"))

    def regenerate() -> None:
        result = generate(take(root, home, offline_after), folder, int(every))
        log.debug("page: %d offices in %.2f s", result.offices, result.seconds)

    try:
        regenerate()
        handler = functools.partial(ReadOnlyHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer((bind, port), handler)
    except (FleetError, PageError, OSError) as e:
        out(f"kiosk fleet serve: {e}")
        if out_dir is None:
            remove(folder)
        return 2
    server.daemon_threads = True
    address, real_port = server.server_address[:2]
    host = address.decode() if isinstance(address, bytes) else address
    shown = f"[{host}]" if ":" in host else host
    out(f"serving http://{shown}:{real_port}/ from {folder}, regenerated every {every:g} s")
    if bind not in ("127.0.0.1", "::1", "localhost"):
        out(f"  bound to {bind}: anyone who can reach this machine there sees the page")

    def regenerate_forever() -> None:
        while not stop.wait(every):
            try:
                regenerate()
            except Exception as e:  # keep serving the last good page
                log.error("page not regenerated: %s", e)

    threads = [
        threading.Thread(target=server.serve_forever, args=(0.5,), name="fleet-serve"),
        threading.Thread(target=regenerate_forever, name="fleet-page"),
    ]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    for t in threads:
        t.start()
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        for t in threads:
            t.join()
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
        if out_dir is None:
            remove(folder)
    out("stopped")
    return 0
