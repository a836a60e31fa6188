"""A real Home Assistant for the browser tests: a process, its onboarding, users and station.

Nothing here imports Home Assistant: it is driven like a person's browser would, over HTTP and
the websocket API. The tests' own process blocks sockets between tests (pytest-socket); the
calls here run while a test or a fixture has them enabled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import socket
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
OWNER = ("owner", "owner-password-1")
CONFIGURATION = """\
homeassistant:
  name: ezeep browser tests
  time_zone: UTC
  country: DE
  currency: EUR
  unit_system: metric
  external_url: "{url}"
  internal_url: "{url}"
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
logger:
  default: info
  logs:
    custom_components.ezeep: debug
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def run_async[T](factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine in a fresh loop on a short-lived thread, return its result.

    The test process's own loops (pytest-asyncio, Playwright's) stay untouched.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(factory())
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller
            box["error"] = err

    thread = threading.Thread(target=target, name="ha-setup")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]


@dataclass
class Tokens:
    """An access and refresh token of one Home Assistant user for one client id."""

    access_token: str
    refresh_token: str
    expires_in: int

    def local_storage(self, url: str) -> str:
        """The frontend's ``hassTokens`` localStorage value (logged-in browser)."""
        return json.dumps(
            {
                "hassUrl": url,
                "clientId": f"{url}/",
                "expires": int(time.time() * 1000) + self.expires_in * 1000,
                "refresh_token": self.refresh_token,
                "access_token": self.access_token,
                "expires_in": self.expires_in,
                "token_type": "Bearer",
            }
        )


class WsClient:
    """A minimal Home Assistant websocket client."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated websocket."""
        self._ws = ws
        self._id = 0

    async def call(self, msg_type: str, **data: Any) -> Any:
        """Send a command and return its result (raise on an error answer)."""
        self._id += 1
        await self._ws.send_json({"id": self._id, "type": msg_type, **data})
        while True:
            msg = await self._ws.receive_json()
            if msg.get("id") == self._id and msg["type"] == "result":
                if not msg["success"]:
                    raise RuntimeError(f"{msg_type}: {msg['error']}")
                return msg["result"]


@dataclass
class HomeAssistantProcess:
    """A Home Assistant started with ``hass -c config`` on a free 127.0.0.1 port."""

    config: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """Where Home Assistant writes its log (and its output goes)."""
        return self.config / "home-assistant.log"

    def start(self) -> None:
        """Write the configuration and start the process (not waiting for it)."""
        self.config.mkdir(parents=True, exist_ok=True)
        (self.config / "configuration.yaml").write_text(
            CONFIGURATION.format(url=self.url, port=self.port)
        )
        link = self.config / "custom_components"
        if not link.exists():
            link.symlink_to(ROOT / "custom_components")
        storage = self.config / ".storage"
        storage.mkdir(exist_ok=True)
        # Only the user step is left: the others would set up integrations that go online.
        (storage / "onboarding").write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["core_config", "analytics", "integration"]},
                }
            )
        )
        out = (self.config / "hass.out").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's hass
            [str(VENV_BIN / "hass"), "-c", str(self.config), "--skip-pip"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=self.config,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        out.close()

    def stop(self) -> None:
        """Stop Home Assistant (SIGTERM, then SIGKILL after 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def output(self) -> str:
        """Everything Home Assistant printed and logged so far."""
        texts = [
            path.read_text(errors="replace")
            for path in (self.config / "hass.out", self.log_file)
            if path.exists()
        ]
        return "\n".join(texts)

    async def wait_running(
        self, session: aiohttp.ClientSession, seconds: float
    ) -> None:
        """Wait until Home Assistant's HTTP server answers."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Home Assistant exited ({self.process.returncode}):\n"
                    + self.output()[-4000:]
                )
            try:
                async with session.get(f"{self.url}/manifest.json") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError(
            f"Home Assistant did not answer in {seconds} s:\n" + self.output()[-4000:]
        )

    # ------------------------------------------------------------- users, tokens

    async def onboard(self, session: aiohttp.ClientSession) -> Tokens:
        """Create the owner (an admin) through onboarding and return its tokens."""
        async with session.post(
            f"{self.url}/api/onboarding/users",
            json={
                "name": "Owner",
                "username": OWNER[0],
                "password": OWNER[1],
                "client_id": f"{self.url}/",
                "language": "en",
            },
        ) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
        return await self._token(session, code)

    async def login(
        self, session: aiohttp.ClientSession, username: str, password: str
    ) -> Tokens:
        """Log a user in through the login flow (as the frontend's login page does)."""
        client_id = f"{self.url}/"
        async with session.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{client_id}?auth_callback=1",
            },
        ) as resp:
            resp.raise_for_status()
            flow_id = (await resp.json())["flow_id"]
        async with session.post(
            f"{self.url}/auth/login_flow/{flow_id}",
            json={"client_id": client_id, "username": username, "password": password},
        ) as resp:
            resp.raise_for_status()
            result = await resp.json()
        assert result["type"] == "create_entry", result
        return await self._token(session, result["result"])

    async def _token(self, session: aiohttp.ClientSession, code: str) -> Tokens:
        async with session.post(
            f"{self.url}/auth/token",
            data=urlencode(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "client_id": f"{self.url}/",
                }
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as resp:
            resp.raise_for_status()
            body = await resp.json()
        return Tokens(body["access_token"], body["refresh_token"], body["expires_in"])

    async def websocket[T](
        self,
        session: aiohttp.ClientSession,
        tokens: Tokens,
        work: Callable[[WsClient], Awaitable[T]],
    ) -> T:
        """Open an authenticated websocket, run ``work`` with it, close it."""
        async with session.ws_connect(f"{self.url}/api/websocket") as ws:
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": tokens.access_token})
            answer = await ws.receive_json()
            assert answer["type"] == "auth_ok", answer
            return await work(WsClient(ws))

    async def rest(
        self,
        session: aiohttp.ClientSession,
        tokens: Tokens,
        method: str,
        path: str,
        body: Any = None,
    ) -> Any:
        """Call the REST API as the user of ``tokens``; return the JSON answer."""
        async with session.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        ) as resp:
            resp.raise_for_status()
            return await resp.json()
