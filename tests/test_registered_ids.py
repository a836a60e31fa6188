"""Fingerprints of registered IDs: small, bounded, many IDs per fingerprint, kept on disk."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.ezeep import registered_ids as module
from custom_components.ezeep.registered_ids import (
    FINGERPRINT_BITS,
    STORAGE_KEY,
    RegisteredIds,
    async_get_registered,
)


async def test_fingerprints_are_shared_by_many_ids(hass: HomeAssistant) -> None:
    """12 bits: 10,000 four-digit IDs fall on every one of the 4,096 values, ~2.4 each."""
    registered = RegisteredIds(hass)
    values = [registered.fingerprint(f"{n:04d}") for n in range(10_000)]
    assert max(values) < 2**FINGERPRINT_BITS
    assert len(set(values)) > 3_500  # spread out: no value names one ID


async def test_bounded_and_forgotten_with_the_station(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most MAX_FINGERPRINTS per station, least recent first; removal forgets them."""
    monkeypatch.setattr(module, "MAX_FINGERPRINTS", 3)
    registered = RegisteredIds(hass)
    for n in range(40):
        registered.async_add("entry", f"test-card-{n}")
    assert registered.has("entry", "test-card-39")
    assert sum(registered.has("entry", f"test-card-{n}") for n in range(40)) < 40
    registered.async_forget_entry("entry")
    assert not registered.has("entry", "test-card-39")


@pytest.mark.parametrize(
    "stored",
    [
        {"key": "not hex", "stations": {}},
        {"stations": {}},
        {"key": "00" * 16, "stations": {"entry": ["x"]}},
        ["a list"],
    ],
)
async def test_damaged_file_starts_over(
    hass: HomeAssistant, hass_storage: dict[str, Any], stored: Any
) -> None:
    """A file that cannot be read is ignored: nothing is known, nothing crashes."""
    hass_storage[STORAGE_KEY] = {"version": 1, "key": STORAGE_KEY, "data": stored}
    registered = await async_get_registered(hass)
    assert not registered.has("entry", "test-card-1")
    assert await async_get_registered(hass) is registered
