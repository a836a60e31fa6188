"""The release panel's registration: the card is served and becomes a dashboard resource."""

from __future__ import annotations

import json
from pathlib import Path
import re
import shutil
from unittest.mock import patch

from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.panel import (
    CARD_PATH,
    PANEL_DIR,
    _async_register_card,
    card_url,
    panel_version,
)


def _card_items(hass: HomeAssistant) -> list[dict[str, str]]:
    return [
        item
        for item in hass.data[LOVELACE_DATA].resources.async_items()
        if "ezeep-release-panel.js" in item["url"]
    ]


def test_version_changes_with_any_served_file(tmp_path: Path) -> None:
    """A new version of any module or text is a new path for every file of the panel."""
    folder = tmp_path / "panel"
    shutil.copytree(PANEL_DIR, folder)
    first = panel_version(folder)
    assert len(first) == 12
    assert card_url(first) == f"/ezeep_static/{first}/ezeep-release-panel.js"
    (folder / "session.py").write_text("# not served")
    assert panel_version(folder) == first
    for served in ("state.js", "lit/lit-html.js", "translations/nl.json"):
        path = folder / served
        before = path.read_bytes()
        path.write_bytes(before + b" ")
        assert panel_version(folder) != first, served
        path.write_bytes(before)
    assert panel_version(folder) == first


async def test_served_and_added_as_resource(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """In storage mode the card becomes one module resource; its files are served."""
    assert await async_setup_component(hass, "lovelace", {})
    assert await async_setup_component(hass, DOMAIN, {})
    version = panel_version()
    url = card_url(version)
    assert _card_items(hass) == [
        {"id": _card_items(hass)[0]["id"], "type": "module", "url": url}
    ]
    client = await hass_client()
    resp = await client.get(url)
    assert resp.status == 200
    assert (await resp.read()) == CARD_PATH.read_bytes()
    assert "max-age" in resp.headers.get(
        "Cache-Control", ""
    )  # a new version, a new URL
    for path in ("translations/de.json", "state.js", "editor.js", "lit/lit-element.js"):
        resp = await client.get(f"/ezeep_static/{version}/{path}")
        assert resp.status == 200, path


async def test_resource_updated_not_duplicated(hass: HomeAssistant) -> None:
    """A new version updates the existing resource's URL; an unchanged one is left."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    resources = hass.data[LOVELACE_DATA].resources
    await resources.async_create_item({"res_type": "module", "url": "/local/other.js"})
    # The URL of version 0.2.0 (a query string), then two versioned paths.
    await _async_register_card(hass, "/ezeep_static/ezeep-release-panel.js?v=old")
    item_id = _card_items(hass)[0]["id"]
    await _async_register_card(hass, "/ezeep_static/aaa/ezeep-release-panel.js")
    await _async_register_card(hass, "/ezeep_static/bbb/ezeep-release-panel.js")
    await _async_register_card(hass, "/ezeep_static/bbb/ezeep-release-panel.js")
    assert _card_items(hass) == [
        {
            "id": item_id,
            "type": "module",
            "url": "/ezeep_static/bbb/ezeep-release-panel.js",
        }
    ]
    assert len(resources.async_items()) == 2


async def test_yaml_mode_loads_an_extra_module(hass: HomeAssistant) -> None:
    """With YAML resources (the user's), the card is loaded as an extra module."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(
        hass, "lovelace", {"lovelace": {"resource_mode": "yaml"}}
    )
    hass.config.components.add("frontend")
    with patch("homeassistant.components.frontend.add_extra_js_url") as add:
        await _async_register_card(hass, "/ezeep_static/ezeep-release-panel.js?v=1")
    add.assert_called_once_with(hass, "/ezeep_static/ezeep-release-panel.js?v=1")


async def test_no_web_server_no_registration(hass: HomeAssistant) -> None:
    """Without http (a bare test setup) only the commands are registered."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert "ezeep/panel/sign_in" in hass.data["websocket_api"]
    assert LOVELACE_DATA not in hass.data


def test_card_translations_complete() -> None:
    """Every language of the card has every English text, with the same placeholders."""
    folder = CARD_PATH.parent / "translations"
    english = json.loads((folder / "en.json").read_text())
    languages = sorted(path.stem for path in folder.glob("*.json"))
    assert languages == ["de", "en", "es", "fr", "it", "nl"]
    for language in languages:
        texts = json.loads((folder / f"{language}.json").read_text())
        assert texts.keys() == english.keys(), language
        for key, text in texts.items():
            assert text.strip(), (language, key)
            assert set(re.findall(r"\{\w+\}", text)) == set(
                re.findall(r"\{\w+\}", english[key])
            ), (language, key)
