"""Headless Chromium (Debian's `chromium`) driven over its DevTools websocket, for tests.

The fleet page is checked in a real browser: what the DOM says, the colours the browser
computed, whether images decoded, and a screenshot. A few DevTools calls do that; a driver
framework (Selenium and its chromedriver) would add a second browser-version pairing to keep.
Chromium gets a fresh profile, no network beyond 127.0.0.1 (every other host name resolves
to nothing) and no background traffic; it runs under coreutils `timeout` and is stopped by PID.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = shutil.which("chromium") or "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",  # root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--hide-scrollbars",
)


class Chromium:
    """One headless browser with one tab; `open` a URL, then `eval` and `screenshot`."""

    def __init__(self, profile: Path, limit_s: int = 300) -> None:
        self.profile = profile
        self.limit_s = limit_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.ws: websocket.WebSocket | None = None
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def start(self, timeout: float = 30.0) -> Chromium:
        self.profile.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        with open(self.profile / "chromium.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    "timeout",
                    "-k",
                    "5",
                    str(self.limit_s),
                    CHROMIUM,
                    *FLAGS,
                    f"--user-data-dir={self.profile / 'profile'}",
                    "about:blank",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its renderers and zygotes stopped together
            )
        port_file = self.profile / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.is_file() or not port_file.read_text().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Chromium did not start: {self.profile / 'chromium.log'}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True
        )
        self.call("Page.enable")
        self.call("Runtime.enable")
        return self

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        assert self.ws is not None
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return dict(self.events.pop(i))
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    def open(self, url: str) -> None:
        """Loads `url` and waits for its load event (images and fonts included)."""
        self.events.clear()
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise RuntimeError(f"{url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")

    def images_settled(self, timeout_s: float = 10.0) -> bool:
        """Waits until every <img> has loaded or failed (lazy ones do not hold the load event)."""
        script = (
            "new Promise(done => { const end = Date.now() + MS; (function poll() {"
            " const all = [...document.images].every(i => i.complete);"
            " if (all || Date.now() > end) done(all); else setTimeout(poll, 50); })(); })"
        )
        return bool(self.eval(script.replace("MS", str(int(timeout_s * 1000)))))

    def eval(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def stop(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.send(json.dumps({"id": 0, "method": "Browser.close"}))
            with contextlib.suppress(Exception):
                self.ws.close()
            self.ws = None
        if self.proc is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: Chromium's children
        self.proc.wait(timeout=10)
        self.proc = None
