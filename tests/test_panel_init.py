"""The release panel's registration: the card is served and becomes a dashboard resource."""

from __future__ import annotations

import json
import re
from unittest.mock import patch

from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.panel import CARD_PATH, _async_register_card, card_url


def _card_items(hass: HomeAssistant) -> list[dict[str, str]]:
    return [
        item
        for item in hass.data[LOVELACE_DATA].resources.async_items()
        if "ezeep-release-panel.js" in item["url"]
    ]


def test_card_url_has_a_content_hash() -> None:
    """A new card file gets a new URL, so browsers load it."""
    assert card_url(b"one").startswith("/ezeep_static/ezeep-release-panel.js?v=")
    assert card_url(b"one") != card_url(b"two")
    assert len(card_url(b"one").rpartition("=")[2]) == 12


async def test_served_and_added_as_resource(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """In storage mode the card becomes one module resource; its files are served."""
    assert await async_setup_component(hass, "lovelace", {})
    assert await async_setup_component(hass, DOMAIN, {})
    url = card_url(CARD_PATH.read_bytes())
    assert _card_items(hass) == [
        {"id": _card_items(hass)[0]["id"], "type": "module", "url": url}
    ]
    client = await hass_client()
    resp = await client.get(url)
    assert resp.status == 200
    assert (await resp.read()) == CARD_PATH.read_bytes()
    resp = await client.get("/ezeep_static/translations/de.json")
    assert resp.status == 200


async def test_resource_updated_not_duplicated(hass: HomeAssistant) -> None:
    """A new version updates the existing resource's URL; an unchanged one is left."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    resources = hass.data[LOVELACE_DATA].resources
    await resources.async_create_item({"res_type": "module", "url": "/local/other.js"})
    await _async_register_card(hass, "/ezeep_static/ezeep-release-panel.js?v=old")
    item_id = _card_items(hass)[0]["id"]
    await _async_register_card(hass, "/ezeep_static/ezeep-release-panel.js?v=new")
    await _async_register_card(hass, "/ezeep_static/ezeep-release-panel.js?v=new")
    assert _card_items(hass) == [
        {
            "id": item_id,
            "type": "module",
            "url": "/ezeep_static/ezeep-release-panel.js?v=new",
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
