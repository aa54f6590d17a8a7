"""The one way kiosk talks to Syncthing: its REST API, with the API key from its config.

Syncthing's `config.xml` is only read (for the GUI/API address and the key), never written:
every change goes through the REST API, which applies it while Syncthing runs. Requests never
use a proxy (the API is on this machine) and always have a time-out.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0


class SyncthingError(Exception):
    """Syncthing answered with an error, or could not be asked: the message says what to do."""


class SyncthingUnreachable(SyncthingError):
    """Nothing answers at the GUI/API address (Syncthing stopped, or another address)."""


def default_home() -> Path:
    """Syncthing's config folder: $KIOSK_SYNCTHING_HOME, else where Syncthing 1.x keeps it."""
    if env := os.environ.get("KIOSK_SYNCTHING_HOME"):
        return Path(env)
    state = Path.home() / ".local" / "state" / "syncthing"  # Syncthing >= 1.27
    if (state / "config.xml").is_file():
        return state
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "syncthing"


def parse_time(text: object) -> float | None:
    """Syncthing's RFC 3339 times (nanoseconds, any offset) as epoch seconds; None for zero."""
    if not isinstance(text, str) or text.startswith(("0001-", "1970-")):
        return None
    head, dot, rest = text.partition(".")
    if dot:  # Python 3.11 reads up to 6 fractional digits
        digits = len(rest) - len(rest.lstrip("0123456789"))
        rest = rest[: min(digits, 6)] + rest[digits:]
        text = f"{head}.{rest}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class GuiConfig:
    """What kiosk reads from config.xml: where the API listens and its key."""

    address: str  # as written, e.g. "127.0.0.1:8384"
    api_key: str
    tls: bool

    @property
    def url(self) -> str:
        host, _, port = self.address.rpartition(":")
        if host in ("0.0.0.0", "", "[::]", "::"):  # listening everywhere: ask it locally
            host = "127.0.0.1"
        return f"{'https' if self.tls else 'http'}://{host}:{port}"


def read_gui_config(home: Path) -> GuiConfig:
    """The GUI section of `home`/config.xml; SyncthingError saying what is wrong otherwise."""
    path = home / "config.xml"
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise SyncthingError(
            f"{path}: not found: is Syncthing installed and started once for this user? "
            "(or give --syncthing-home DIR)"
        ) from None
    except (OSError, ET.ParseError) as e:
        raise SyncthingError(f"{path}: cannot read Syncthing's config: {e}") from None
    gui = root.find("gui")
    address = (gui.findtext("address") if gui is not None else None) or ""
    key = (gui.findtext("apikey") if gui is not None else None) or ""
    if gui is None or not address or not key:
        raise SyncthingError(
            f"{path}: no GUI address or API key in <gui>; open Syncthing's GUI once "
            "(Actions > Settings > GUI) so that it makes an API key"
        )
    if address.startswith(("/", "unix://")):
        raise SyncthingError(f"{path}: the GUI listens on a unix socket ({address}): not supported")
    return GuiConfig(address.strip(), key.strip(), gui.get("tls", "false") == "true")


class Syncthing:
    """A small JSON client for one Syncthing instance's REST API."""

    def __init__(self, url: str, api_key: str, timeout: float = TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self._key = api_key
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        if self.url.startswith("https:"):
            # Syncthing's GUI certificate is self-signed; the API is on this machine.
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)

    @classmethod
    def from_home(cls, home: Path | None = None, timeout: float = TIMEOUT_S) -> Syncthing:
        gui = read_gui_config(home or default_home())
        return cls(gui.url, gui.api_key, timeout)

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """One call; the decoded JSON answer (None for an empty one)."""
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("X-API-Key", self._key)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=timeout or self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace").strip()
            raise SyncthingError(
                f"Syncthing: {method} {path}: {e.code} {text or e.reason}"
            ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise SyncthingUnreachable(
                f"Syncthing does not answer at {self.url} ({reason}): is it running? "
                "(systemctl status syncthing@$USER)"
            ) from None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")

    def get(self, path: str, **params: str) -> Any:
        return self.request("GET", path, params or None)

    def post(self, path: str, body: Any = None, **params: str) -> Any:
        return self.request("POST", path, params or None, body)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, None, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, None, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    # ------------------------------------------------------------- short-hands
    def my_id(self) -> str:
        return str(self.get("/rest/system/status")["myID"])

    def folder(self, folder_id: str) -> dict[str, Any] | None:
        """The folder's config, or None if there is no such folder."""
        folders: list[dict[str, Any]] = self.get("/rest/config/folders")
        return next((f for f in folders if f["id"] == folder_id), None)

    def device(self, device_id: str) -> dict[str, Any] | None:
        devices: list[dict[str, Any]] = self.get("/rest/config/devices")
        return next((d for d in devices if d["deviceID"] == device_id), None)
