"""Translations: every language next to en.json is complete and says the same things.

The languages are read from the folder, so a new file is checked without touching this
test. English is the reference: a key added there fails here until every language has it.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
import pytest

from custom_components.ezeep.const import DOMAIN

TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
)
EN: dict[str, Any] = json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8"))
LANGUAGES = sorted(
    path.stem for path in TRANSLATIONS.glob("*.json") if path.stem != "en"
)

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# What must stay as written in every language: URLs and URL schemes, paths, the service
# fields and the event named in the texts, `force: true`, the device name the code gives
# a person without a name ("User 1", made in English by the code) and the product names.
LITERAL = re.compile(
    r"[a-z]+://[\w./-]*"
    r"|/[\w/]+\.xml|/ipp/print|TPFM/"
    r"|\b[a-z]+(?:_[a-z]+)+\b"
    r"|force: true|\"User \d+\""
    r"|\bezeep(?: Blue)?\b|Home Assistant|\b(?:HP|LEDM|IPP|TPFM|Brother)\b"
)

# A value may equal the English one only where that language really uses the same word.
# Keyed by (language, English value); keep it short and say why.
SAME_AS_ENGLISH = {
    # "Status" is the German and the Dutch word, and what Home Assistant itself shows.
    ("de", "Status"),
    ("nl", "Status"),
    # German "Name"; Home Assistant's German strings use it for every name field.
    ("de", "Name"),
    # German "Problem", as Home Assistant's German problem binary sensors say.
    ("de", "Problem"),
    # "Printer" is the Dutch word for a printer (Home Assistant's Dutch IPP strings).
    ("nl", "Printer"),
    # "pages" is the French plural of "page" (the pages-printed counter's unit).
    ("fr", "pages"),
}


def _strings(tree: dict[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, value) of every string in a translation tree."""
    for key, value in tree.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _strings(value, where)
        else:
            assert isinstance(value, str), f"{where}: not a string"
            yield where, value


def _keys(tree: dict[str, Any], path: str = "") -> Iterator[str]:
    """Every key of a translation tree, nested ones as dotted paths."""
    for key, value in tree.items():
        where = f"{path}.{key}" if path else key
        yield where
        if isinstance(value, dict):
            yield from _keys(value, where)


def _load(language: str) -> dict[str, Any]:
    """A language file, parsed; it must be a JSON object."""
    tree = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(tree, dict)
    return tree


ENGLISH = dict(_strings(EN))


def _shared(language: str) -> Iterator[tuple[str, str, str]]:
    """(key, value, English value) of every text the language shares with English.

    Keys English lacks are left to ``test_same_keys_as_english``, so that one extra key
    fails one test with a clear message instead of every test with a ``KeyError``.
    """
    for key, value in _strings(_load(language)):
        if key in ENGLISH:
            yield key, value, ENGLISH[key]


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_valid_json(language: str) -> None:
    """Each file is a JSON object of nested objects whose leaves are strings."""
    assert dict(_strings(_load(language)))


def test_languages_found() -> None:
    """The folder holds at least the languages the README promises."""
    assert {"de", "es", "fr", "it", "nl"} <= set(LANGUAGES)


def test_english_has_no_empty_value() -> None:
    """Every English text says something; an empty one shows as a blank label."""
    empty = [key for key, value in ENGLISH.items() if not value.strip()]
    assert not empty


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_no_key_references(language: str) -> None:
    """No ``[%key:...]`` reference: only core's build resolves them, not custom integrations."""
    leftovers = [key for key, value in _strings(_load(language)) if "[%key:" in value]
    assert not leftovers


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_as_english(language: str) -> None:
    """Exactly English's keys, nested ones included: none missing, none extra."""
    keys = set(_keys(_load(language)))
    english = set(_keys(EN))
    assert not english - keys, f"{language}: missing"
    assert not keys - english, f"{language}: not in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_placeholders_as_english(language: str) -> None:
    """Every text has English's ``{placeholders}``, spelled the same."""
    wrong = {
        key: sorted(set(PLACEHOLDER.findall(value)))
        for key, value, english in _shared(language)
        if set(PLACEHOLDER.findall(value)) != set(PLACEHOLDER.findall(english))
    }
    assert not wrong


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_no_apostrophe_before_placeholder(language: str) -> None:
    """No ``'`` right before a brace: the frontend's ICU formatting would quote the placeholder."""
    quoted = [
        key for key, value in _strings(_load(language)) if re.search(r"'[{}]", value)
    ]
    assert not quoted


@pytest.mark.parametrize("language", LANGUAGES)
def test_literals_kept(language: str) -> None:
    """URLs, paths, field names, ``force: true`` and product names stay as in English."""
    lost = {
        key: sorted(missing)
        for key, value, english in _shared(language)
        if (missing := set(LITERAL.findall(english)) - set(LITERAL.findall(value)))
    }
    assert not lost


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_left_in_english(language: str) -> None:
    """A value equal to English's is a forgotten translation unless the allow-list says so."""
    untranslated = [
        key
        for key, value, english in _shared(language)
        if value == english
        and (language, value) not in SAME_AS_ENGLISH
        and not PLACEHOLDER.fullmatch(value)
    ]
    assert not untranslated


def test_allow_list_is_used() -> None:
    """Every allow-list entry is still needed, so the list stays short and true."""
    used = {
        (language, value)
        for language in LANGUAGES
        for _, value, english in _shared(language)
        if value == english
    }
    assert not SAME_AS_ENGLISH - used


@pytest.mark.parametrize("language", LANGUAGES)
async def test_home_assistant_loads_language(
    hass: HomeAssistant, language: str
) -> None:
    """Home Assistant reads the file for the integration: a German UI shows German texts."""
    tree = _load(language)
    for category in ("config", "entity", "exceptions", "issues", "selector"):
        loaded = await async_get_translations(hass, language, category, {DOMAIN})
        expected = {
            f"component.{DOMAIN}.{category}.{key}": value
            for key, value in _strings(tree[category])
        }
        assert loaded.items() >= expected.items(), category


# -- the release panel's own texts (custom_components/ezeep/panel/translations) ---------

PANEL = TRANSLATIONS.parent / "panel" / "translations"
PANEL_EN: dict[str, Any] = json.loads((PANEL / "en.json").read_text(encoding="utf-8"))
PANEL_LANGUAGES = sorted(p.stem for p in PANEL.glob("*.json") if p.stem != "en")
# Panel texts that may equal English: "{done} %" is written so everywhere; French
# "Copies" and "page {done}" are the French words.
PANEL_SAME_AS_ENGLISH = {
    *((language, "progress_percent") for language in PANEL_LANGUAGES),
    ("fr", "copies"),
    ("fr", "progress_pages_unknown"),
}


def test_panel_has_the_integrations_languages() -> None:
    """The panel speaks every language the integration speaks."""
    assert PANEL_LANGUAGES == LANGUAGES


@pytest.mark.parametrize("language", PANEL_LANGUAGES)
def test_panel_language_is_complete(language: str) -> None:
    """English's keys and placeholders, and nothing left in English by mistake."""
    texts = json.loads((PANEL / f"{language}.json").read_text(encoding="utf-8"))
    en, other = dict(_strings(PANEL_EN)), dict(_strings(texts))
    assert other.keys() == en.keys()
    for key, english in en.items():
        assert other[key].strip(), key
        assert set(PLACEHOLDER.findall(other[key])) == set(
            PLACEHOLDER.findall(english)
        ), key
        if other[key] == english:
            assert (language, key) in PANEL_SAME_AS_ENGLISH, f"{language}: {key}"
