"""The release panel: a Lovelace card the integration serves and registers itself.

The card (``ezeep-release-panel.js`` and the small ES modules beside it, Lit vendored in
``lit/``, its texts in ``translations/``) is served from ``/ezeep_static/<version>/``, where
the version is a hash of every file of the folder: a new version of any module or text is a
new URL, so browsers never mix old and new files, and the files may be cached for good. In
storage mode the card becomes a dashboard resource; in YAML mode (the resources are the
user's) it is loaded as an extra frontend module. Its websocket commands are in websocket.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from ..const import LOGGER
from .websocket import async_register_commands

URL_BASE = "/ezeep_static"
CARD_FILE = "ezeep-release-panel.js"
PANEL_DIR = Path(__file__).parent
CARD_PATH = PANEL_DIR / CARD_FILE
#: The files the browser loads (modules, Lit, texts); Python files are not served.
SERVED = ("*.js", "lit/*.js", "translations/*.json")


def panel_version(folder: Path = PANEL_DIR) -> str:
    """A hash of every served file of the panel (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for pattern in SERVED for p in folder.glob(pattern)):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def card_url(version: str) -> str:
    """The card's URL under its versioned path."""
    return f"{URL_BASE}/{version}/{CARD_FILE}"


def _is_card_url(url: str) -> bool:
    """Whether a resource URL is this card's (any version, old ``?v=`` URLs too)."""
    path = url.partition("?")[0]
    return path.startswith(f"{URL_BASE}/") and path.endswith(f"/{CARD_FILE}")


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the card, register it with the dashboards, register the commands."""
    async_register_commands(hass)
    if "http" not in hass.config.components:
        return  # no web server (some tests): nothing to serve
    version = await hass.async_add_executor_job(panel_version)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(f"{URL_BASE}/{version}", str(PANEL_DIR), cache_headers=True)]
    )
    await _async_register_card(hass, card_url(version))


async def _async_register_card(hass: HomeAssistant, url: str) -> None:
    """Add or update the card's dashboard resource, or load it as an extra module."""
    from homeassistant.components.frontend import add_extra_js_url
    from homeassistant.components.lovelace.const import LOVELACE_DATA

    lovelace = hass.data.get(LOVELACE_DATA)
    if lovelace is None or lovelace.resource_mode != "storage":
        if "frontend" in hass.config.components:
            add_extra_js_url(hass, url)
        return
    resources = lovelace.resources
    await resources.async_get_info()  # loads the stored resources
    for item in resources.async_items():
        if not _is_card_url(str(item.get("url", ""))):
            continue
        if item["url"] != url:
            await resources.async_update_item(  # type: ignore[union-attr]
                item["id"], {"res_type": "module", "url": url}
            )
            LOGGER.debug("Release panel resource updated to %s", url)
        return
    await resources.async_create_item({"res_type": "module", "url": url})  # type: ignore[union-attr]
    LOGGER.debug("Release panel resource added: %s", url)
