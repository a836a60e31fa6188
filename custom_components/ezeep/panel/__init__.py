"""The release panel: a Lovelace card the integration serves and registers itself.

The card (``ezeep-release-panel.js``, Lit vendored beside it, its texts in ``translations/``)
is served from ``/ezeep_static/``. In storage mode it becomes a dashboard resource whose URL
carries a hash of the file, so browsers load a new version after an update; in YAML mode (the
resources are the user's) it is loaded as an extra frontend module. Its websocket commands are
in websocket.py.
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
CARD_PATH = Path(__file__).parent / CARD_FILE


def card_url(content: bytes) -> str:
    """The card's URL with a content hash (a new version, a new URL)."""
    return f"{URL_BASE}/{CARD_FILE}?v={hashlib.sha256(content).hexdigest()[:12]}"


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the card, register it with the dashboards, register the commands."""
    async_register_commands(hass)
    if "http" not in hass.config.components:
        return  # no web server (some tests): nothing to serve
    await hass.http.async_register_static_paths(
        [StaticPathConfig(URL_BASE, str(CARD_PATH.parent), cache_headers=False)]
    )
    url = card_url(await hass.async_add_executor_job(CARD_PATH.read_bytes))
    await _async_register_card(hass, url)


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
    base = url.partition("?")[0]
    for item in resources.async_items():
        if str(item.get("url", "")).partition("?")[0] != base:
            continue
        if item["url"] != url:
            await resources.async_update_item(  # type: ignore[union-attr]
                item["id"], {"res_type": "module", "url": url}
            )
            LOGGER.debug("Release panel resource updated to %s", url)
        return
    await resources.async_create_item({"res_type": "module", "url": url})  # type: ignore[union-attr]
    LOGGER.debug("Release panel resource added: %s", url)
