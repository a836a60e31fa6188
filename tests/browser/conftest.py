"""Fixtures of the browser tests: the simulator, a real Home Assistant and Chromium.

One Home Assistant per test session (per xdist worker): a process started from this venv's
``hass`` with a temporary configuration, onboarded over HTTP, with a non-admin kiosk user (and
a German one; the reader is bound to both), the ezeep station set up through the config flow's REST API, and a dashboard
holding the release panel. Chromium is Debian's (scripts/setup installs it); a browser that
cannot start fails the tests, it never skips them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import json
import os
from pathlib import Path
import subprocess
import sys
import time
from typing import Any
import urllib.request

import aiohttp
import pytest
import pytest_socket

from .ha import ROOT, HomeAssistantProcess, Tokens, WsClient, run_async

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: The tablet at the printer, portrait.
TABLET = {"width": 800, "height": 1280}
#: The configured person (digits: the keypad's default layout). Obviously fake.
PERSON_ID = "4711"
PERSON_NAME = "Alice"
KIOSK = ("kiosk", "kiosk-password-1")
KIOSK_DE = ("kiosk-de", "kiosk-password-2")
DASHBOARD = "ezeep-release"
#: A card reader's device id (tag_scanned events name it; no such device needs to exist),
#: bound to both kiosk users' panels by the "panel" sub-entry flow.
READER = "reader-at-the-printer"
#: The tablet turned, in the dark theme.
LANDSCAPE = {"width": 1280, "height": 800}
#: Dashboard views (``/ezeep-release/<view>``) and their card options.
VIEWS: dict[str, dict[str, Any]] = {
    "panel": {"idle_timeout": 30},
    "idle": {"idle_timeout": 5},
    # Long enough for the idle warning (10 s before the sign-out) and a tap on it.
    "warn": {"idle_timeout": 20},
    "reader": {"reader_device_ids": [READER]},
    # A reader no admin bound to the kiosk user: the server refuses the subscription.
    "foreign-reader": {"reader_device_ids": ["another-reader"]},
    # No station chosen (like the dashboard scripts/develop writes): the only one.
    "any-station": {"station": False},
}
STARTUP_TIMEOUT = 120.0


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant here: override the suite's autouse fixture."""


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every browser test talks to Home Assistant and the simulator over loopback."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the browser tests on one xdist worker when run with ``--dist loadgroup``."""
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass
class SimulatorProcess:
    """The simulator process (tests/browser/sim_control.py) and its control port."""

    process: subprocess.Popen[str]
    url: str
    control: str

    def call(self, path: str, body: Any = None) -> Any:
        """POST ``body`` to the control port (GET without one); return the JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self.control + path,
            data=data,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return json.loads(resp.read())

    def set_user(self, user_id: str, jobs: list[dict[str, Any]]) -> None:
        """Give a person (new or known) exactly these jobs (SimJob fields)."""
        self.call("user", {"user_id": user_id, "jobs": jobs})

    def log(self) -> dict[str, Any]:
        """Requests, prints, registration printouts and the queues."""
        result: dict[str, Any] = self.call("log")
        return result


@dataclass
class Stack:
    """What the browser tests run against."""

    ha: HomeAssistantProcess
    sim: SimulatorProcess
    owner: Tokens
    kiosk: Tokens
    kiosk_de: Tokens
    entry_id: str

    def states(self) -> list[dict[str, Any]]:
        """``/api/states`` as the owner sees it."""
        return run_async(lambda: self._rest("GET", "/api/states"))

    def fire(self, event_type: str, data: dict[str, Any]) -> None:
        """Fire an event on Home Assistant's bus (as the owner, over the REST API)."""
        run_async(lambda: self._rest("POST", f"/api/events/{event_type}", data))

    def call_service(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call a service as the owner (an admin), over the REST API."""
        path = f"/api/services/{domain}/{service}"
        run_async(lambda: self._rest("POST", path, data))

    def restart(self) -> None:
        """Stop Home Assistant and start it again (same port and configuration)."""
        self.ha.stop()
        self.ha.start()

        async def running() -> None:
            async with aiohttp.ClientSession() as session:
                await self.ha.wait_running(session, STARTUP_TIMEOUT)

        run_async(running)

    def reload_station(self) -> None:
        """Reload the station's config entry (it ends every panel session silently)."""
        path = f"/api/config/config_entries/entry/{self.entry_id}/reload"
        run_async(lambda: self._rest("POST", path))

    async def _rest(self, method: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession() as session:
            return await self.ha.rest(session, self.owner, method, path, body)


def _start_simulator() -> SimulatorProcess:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.sim_control"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError("the simulator did not start")
    info = json.loads(line)
    return SimulatorProcess(process, info["url"], info["control"])


def _card(entry_id: str, *, station: bool = True, **options: Any) -> dict[str, Any]:
    """A card's config; ``station`` False: no station set."""
    card = {
        "type": "custom:ezeep-release-panel",
        "keypad": "digits",
        "mask_id": True,
        **options,
    }
    return {"entry_id": entry_id, **card} if station else card


async def _make_user(ws: WsClient, name: str, login: tuple[str, str]) -> str:
    """A non-admin Home Assistant user with a username and password; return its id."""
    user = await ws.call(
        "config/auth/create", name=name, group_ids=["system-users"], local_only=True
    )
    await ws.call(
        "config/auth_provider/homeassistant/create",
        user_id=user["user"]["id"],
        username=login[0],
        password=login[1],
    )
    user_id: str = user["user"]["id"]
    return user_id


async def _bind_reader(
    ha: HomeAssistantProcess,
    session: aiohttp.ClientSession,
    owner: Tokens,
    entry_id: str,
    ha_user_id: str,
) -> None:
    """Bind the reader to a user's panel: the "panel" sub-entry flow's REST API."""
    flow = await ha.rest(
        session,
        owner,
        "POST",
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, "panel"], "show_advanced_options": False},
    )
    result = await ha.rest(
        session,
        owner,
        "POST",
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        {"ha_user_id": ha_user_id, "reader_device_ids": [READER]},
    )
    assert result["type"] == "create_entry", result


async def _add_station(
    ha: HomeAssistantProcess, session: aiohttp.ClientSession, owner: Tokens, url: str
) -> str:
    """Set the station up through the config flow's REST API; return its entry id."""
    flow = await ha.rest(
        session,
        owner,
        "POST",
        "/api/config/config_entries/flow",
        {"handler": "ezeep", "show_advanced_options": False},
    )
    result = await ha.rest(
        session,
        owner,
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "url": url,
            "password": "sim-password",
            "user_id": PERSON_ID,
            "name": PERSON_NAME,
            "verify_ssl": True,
        },
    )
    assert result["type"] == "create_entry", result
    entry_id: str = result["result"]["entry_id"]
    return entry_id


async def _set_up(ha: HomeAssistantProcess, sim: SimulatorProcess) -> Stack:
    async with aiohttp.ClientSession() as session:
        await ha.wait_running(session, STARTUP_TIMEOUT)
        owner = await ha.onboard(session)
        entry_id = await _add_station(ha, session, owner, sim.url)

        kiosk_users: list[str] = []

        async def admin(ws: WsClient) -> None:
            kiosk_users.append(await _make_user(ws, "Kiosk", KIOSK))
            kiosk_users.append(await _make_user(ws, "Kiosk DE", KIOSK_DE))
            await ws.call(
                "lovelace/dashboards/create",
                url_path=DASHBOARD,
                title="Release",
                icon="mdi:printer",
                show_in_sidebar=True,
                require_admin=False,
                mode="storage",
            )
            views = [
                {
                    "path": path,
                    "title": path,
                    "panel": True,
                    "cards": [_card(entry_id, **opts)],
                }
                for path, opts in VIEWS.items()
            ]
            await ws.call(
                "lovelace/config/save", url_path=DASHBOARD, config={"views": views}
            )

        await ha.websocket(session, owner, admin)
        for ha_user_id in kiosk_users:
            await _bind_reader(ha, session, owner, entry_id, ha_user_id)
        kiosk = await ha.login(session, *KIOSK)
        kiosk_de = await ha.login(session, *KIOSK_DE)

        async def german(ws: WsClient) -> None:
            await ws.call(
                "frontend/set_user_data", key="language", value={"language": "de"}
            )

        await ha.websocket(session, kiosk_de, german)
    return Stack(ha, sim, owner, kiosk, kiosk_de, entry_id)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The simulator and a real Home Assistant, onboarded, with the station and users."""
    pytest_socket.enable_socket()  # a session fixture runs inside the first test's setup
    sim = _start_simulator()
    sim.set_user(PERSON_ID, [])
    ha = HomeAssistantProcess(tmp_path_factory.mktemp("ha-config"))
    try:
        ha.start()
        yield run_async(lambda: _set_up(ha, sim))
    finally:
        ha.stop()
        sim.process.terminate()
        sim.process.wait(10)


class BrowserThread:
    """The one thread that drives Playwright.

    Playwright's sync API keeps an event loop running in the thread that started it, and
    the suite's autouse async fixtures need the main thread free of one: so Chromium, the
    tabs and the browser tests' bodies (see pytest_pyfunc_call) all run on this thread.
    """

    def __init__(self) -> None:
        """Start the thread."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="playwright")

    def run[T](self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the thread and return its result (or raise its error)."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        """End the thread."""
        self._executor.shutdown()


@pytest.fixture(scope="session")
def browser_thread() -> Iterator[BrowserThread]:
    """The thread Playwright runs on."""
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the body of a test that uses a browser on the browser thread."""
    if "browser_thread" not in pyfuncitem.fixturenames:
        return None
    thread: BrowserThread = pyfuncitem.funcargs["browser_thread"]
    names = pyfuncitem._fixtureinfo.argnames
    thread.run(pyfuncitem.obj, **{name: pyfuncitem.funcargs[name] for name in names})
    return True


def _launch() -> tuple[Any, Any]:
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        return playwright, playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    except Error as err:
        playwright.stop()
        raise RuntimeError(str(err)) from err


def _close(playwright: Any, chromium: Any) -> None:
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def browser(browser_thread: BrowserThread) -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright; fails (never skips) when it cannot start."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium)",
            pytrace=False,
        )
    try:
        playwright, chromium = browser_thread.run(_launch)
    except RuntimeError as err:
        pytest.fail(f"Chromium ({CHROMIUM}) did not start: {err}", pytrace=False)
    yield chromium
    browser_thread.run(_close, playwright, chromium)


@dataclass
class Tablet:
    """A browser tab, logged in as a non-admin user, on the release dashboard."""

    page: Any
    stack: Stack

    def open(self, view: str = "panel") -> None:
        """Open a view of the release dashboard and wait for the card."""
        self.page.goto(f"{self.stack.ha.url}/{DASHBOARD}/{view}")
        self.page.locator("ezeep-release-panel").wait_for(timeout=30_000)


def _new_tab(browser: Any, stack: Stack, tokens: Tokens, **options: Any) -> Any:
    url = stack.ha.url
    context = browser.new_context(
        **({"viewport": TABLET} | options),
        storage_state={
            "cookies": [],
            "origins": [
                {
                    "origin": url,
                    "localStorage": [
                        {"name": "hassTokens", "value": tokens.local_storage(url)}
                    ],
                }
            ],
        },
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _tablet(
    thread: BrowserThread, browser: Any, stack: Stack, tokens: Tokens, **options: Any
) -> Generator[Tablet]:
    context, page = thread.run(_new_tab, browser, stack, tokens, **options)
    try:
        yield Tablet(page, stack)
    finally:
        thread.run(context.close)


@pytest.fixture
def tablet(
    browser_thread: BrowserThread, browser: Any, stack: Stack
) -> Generator[Tablet]:
    """The kiosk user's tablet (English)."""
    yield from _tablet(browser_thread, browser, stack, stack.kiosk)


@pytest.fixture
def tablet_landscape(
    browser_thread: BrowserThread, browser: Any, stack: Stack
) -> Generator[Tablet]:
    """The kiosk user's tablet in landscape, with the dark theme."""
    yield from _tablet(
        browser_thread,
        browser,
        stack,
        stack.kiosk,
        viewport=LANDSCAPE,
        color_scheme="dark",
    )


@pytest.fixture
def tablet_de(
    browser_thread: BrowserThread, browser: Any, stack: Stack
) -> Generator[Tablet]:
    """The German kiosk user's tablet."""
    yield from _tablet(browser_thread, browser, stack, stack.kiosk_de)


def job(n: int, name: str, **fields: Any) -> dict[str, Any]:
    """A simulator job (SimJob fields), created ``10 - n`` minutes ago (oldest first)."""
    return {
        "file_name": f"job-{n:04d}.tpf",
        "display_name": name,
        "created": int(time.time()) - 60 * (10 - n),
        **fields,
    }
