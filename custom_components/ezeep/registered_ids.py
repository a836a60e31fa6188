"""Which IDs a station's server accepted, remembered across restarts without the IDs.

The sheet limits (unknown_ids.py) refuse IDs not known to be registered once a station
or a source printed its registration sheets for the hour. The run's own memory of
accepted IDs (keyed hashes with a key made per run) is gone after a restart, so without
this every registered person not seen since then would be locked out with the cards.

What is stored (``.storage/ezeep.registered_ids``) is a random key and, per station, at
most :data:`MAX_FINGERPRINTS` fingerprints of :data:`FINGERPRINT_BITS` bits (a keyed
BLAKE2b of the ID cut to 12 bits) of IDs that are not configured people (those pass the
limits anyway). The key sits beside them, so anyone with the file can compute
fingerprints; but each one is shared by one in 4,096 of all possible IDs, so it never
tells which ID it was: a 4-digit number still has 2 or 3 candidates, a 6-digit one about
244, a card serial billions. The price: an unknown card whose fingerprint matches (at
most 256 in 4,096: 6 %) passes the sheet limits; it still obeys the per-ID hold-off and
the panel's limit on guessing.
"""

from __future__ import annotations

from collections import OrderedDict
import hashlib
import secrets
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

FINGERPRINT_BITS = 12
#: Fingerprints kept per station (least recently accepted dropped first).
MAX_FINGERPRINTS = 256
#: Seconds a change waits before it is written (changes in between are written once).
SAVE_DELAY = 10
STORAGE_KEY = f"{DOMAIN}.registered_ids"
STORAGE_VERSION = 1


class RegisteredIds:
    """Per station, fingerprints of the IDs its server accepted (see the module)."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the empty memory (use :func:`async_get_registered`)."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._key = secrets.token_bytes(16)
        self._stations: dict[str, OrderedDict[int, None]] = {}

    async def async_load(self) -> None:
        """Read what an earlier run stored (a damaged file is started over)."""
        data = await self._store.async_load()
        if not isinstance(data, dict):
            return
        try:
            key = bytes.fromhex(data["key"])
            stations = {
                str(entry_id): OrderedDict.fromkeys(int(value) for value in values)
                for entry_id, values in data["stations"].items()
            }
        except KeyError, TypeError, ValueError, AttributeError:
            return
        self._key, self._stations = key, stations

    def fingerprint(self, user_id: str) -> int:
        """The 12-bit keyed fingerprint of an ID (many IDs share each one)."""
        digest = hashlib.blake2b(user_id.encode(), key=self._key, digest_size=2)
        return int.from_bytes(digest.digest(), "big") >> (16 - FINGERPRINT_BITS)

    def has(self, entry_id: str, user_id: str) -> bool:
        """Return whether the station's server accepted an ID with this fingerprint."""
        prints = self._stations.get(entry_id)
        return prints is not None and self.fingerprint(user_id) in prints

    @callback
    def async_add(self, entry_id: str, user_id: str) -> None:
        """Remember that the station's server accepted this ID (written soon)."""
        prints = self._stations.setdefault(entry_id, OrderedDict())
        value = self.fingerprint(user_id)
        if value in prints:
            prints.move_to_end(value)
            return
        prints[value] = None
        while len(prints) > MAX_FINGERPRINTS:
            prints.popitem(last=False)
        self._store.async_delay_save(self._data, SAVE_DELAY)

    @callback
    def async_forget_entry(self, entry_id: str) -> None:
        """A station was removed: forget its fingerprints."""
        if self._stations.pop(entry_id, None) is not None:
            self._store.async_delay_save(self._data, SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        return {
            "key": self._key.hex(),
            "stations": {
                entry_id: list(prints) for entry_id, prints in self._stations.items()
            },
        }


REGISTERED_KEY: HassKey[RegisteredIds] = HassKey(f"{DOMAIN}_registered_ids")


async def async_get_registered(hass: HomeAssistant) -> RegisteredIds:
    """The integration's registered-ID fingerprints, loaded on first use."""
    if (registered := hass.data.get(REGISTERED_KEY)) is None:
        registered = RegisteredIds(hass)
        await registered.async_load()
        # Another caller may have loaded it while this one waited.
        registered = hass.data.setdefault(REGISTERED_KEY, registered)
    return registered
