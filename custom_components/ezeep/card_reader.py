"""Where a reader's value enters: the station's card format, and the last value scanned.

Actions (``tag_id``), the release panel's readers and the release-on-tag blueprint turn a
reader's raw value into the ID ezeep knows with :func:`convert_tag`; a value the format
cannot convert is refused with a translated error before anything is sent. Configured
people keep the ID they were set up with: it is never converted.

For the options flow's live test the last value scanned at any reader (``tag_scanned``,
or a keyboard-mode reader at a release panel) is kept in memory for ``RECENT_SCAN``, then
forgotten. It is never logged, stored or shown unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from .card_format import CardFormat, CardFormatError, InvalidChainError, card_format
from .const import CONF_CARD_FORMAT, CONF_CARD_FORMAT_STEPS, DOMAIN
from .validation import MissingUserIdError

#: How long the last scanned value is offered to the options flow's live test.
RECENT_SCAN = timedelta(minutes=5)
EVENT_TAG_SCANNED = "tag_scanned"


class CardNotConvertibleError(ServiceValidationError):
    """A reader's value the station's card format cannot convert (nothing was sent)."""

    def __init__(self, step: str) -> None:
        """Refuse a value; ``step`` names the step that could not convert it."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="card_not_convertible",
            translation_placeholders={"step": step},
        )
        self.step = step


def options_format(options: dict[str, Any]) -> CardFormat:
    """The card format stored in a station's options (none stored: as read).

    Raises:
        InvalidChainError: a stored chain that does not read (never saved so).

    """
    return card_format(
        options.get(CONF_CARD_FORMAT), options.get(CONF_CARD_FORMAT_STEPS)
    )


def convert_tag(entry: ConfigEntry, raw: str) -> str:
    """Return the ID for a reader's raw value, with the station's card format.

    Raises:
        MissingUserIdError: the value is empty (or only spaces).
        CardNotConvertibleError: the format cannot convert it.

    """
    try:
        return options_format(dict(entry.options)).convert(raw)
    except InvalidChainError:
        raise CardNotConvertibleError("chain") from None
    except CardFormatError as err:
        if err.reason == "empty" and err.step == "input":
            raise MissingUserIdError from None
        raise CardNotConvertibleError(err.step) from None


@dataclass
class _LastScan:
    """The last value scanned at any reader, while it is recent."""

    value: str | None = None
    forget: CALLBACK_TYPE | None = None


_LAST_SCAN: HassKey[_LastScan] = HassKey(f"{DOMAIN}_last_scan")


@callback
def async_track_scans(hass: HomeAssistant) -> None:
    """Remember the last ``tag_scanned`` value of any reader (once per run)."""
    if _LAST_SCAN in hass.data:
        return
    hass.data[_LAST_SCAN] = _LastScan()

    @callback
    def scanned(event: Event) -> None:
        async_remember_scan(hass, event.data.get("tag_id"))

    hass.bus.async_listen(EVENT_TAG_SCANNED, scanned)


@callback
def async_remember_scan(hass: HomeAssistant, value: object) -> None:
    """Keep a reader's raw value for the live test, for ``RECENT_SCAN``."""
    memory = hass.data.get(_LAST_SCAN)
    if memory is None or not isinstance(value, str) or not value.strip():
        return
    if memory.forget is not None:
        memory.forget()

    @callback
    def forget(_now: datetime) -> None:
        memory.value = memory.forget = None

    memory.value = value
    memory.forget = async_call_later(
        hass,
        RECENT_SCAN,
        HassJob(forget, "forget the last card scanned", cancel_on_shutdown=True),
    )


@callback
def recent_scan(hass: HomeAssistant) -> str | None:
    """The value scanned last at any reader within ``RECENT_SCAN`` (None: none)."""
    memory = hass.data.get(_LAST_SCAN)
    return memory.value if memory is not None else None
