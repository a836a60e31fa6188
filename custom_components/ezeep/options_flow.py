"""Options flow: polling, cooldown, rate limit, and where the printer's readiness comes from.

The ``init`` step offers the numbers, the to-do lists' switch (checking a job off prints
it) and the readiness source, then ``printer_url`` (LEDM
or IPP, checked by reading the printer) or ``printer_entity`` (another integration's
entity and the states that mean "not ready"); with ``edit_card_format`` on, the
``card_format`` step (card_format_flow.py) comes last. Otherwise the card format is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol
from yarl import URL

from .card_format_flow import (
    CONF_EDIT_CARD_FORMAT,
    EDIT_FIELD,
    CardFormatStep,
    stored_card_format,
)
from .const import (
    CONF_COOLDOWN,
    CONF_NOT_READY_STATES,
    CONF_PRINTER_ENTITY,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RATE_LIMIT,
    CONF_RELEASE_FROM_TODO,
    CONF_RELEASE_UNREACHABLE,
    CONF_SCAN_INTERVAL,
    CONF_SHEETS_PER_HOUR,
    CONF_UNKNOWN_HOLD_OFF,
    DEFAULT_COOLDOWN,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RELEASE_FROM_TODO,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SHEETS_PER_HOUR,
    DEFAULT_UNKNOWN_HOLD_OFF,
    MAX_COOLDOWN,
    MAX_RATE_LIMIT,
    MAX_SCAN_INTERVAL,
    MAX_SHEETS_PER_HOUR,
    MAX_UNKNOWN_HOLD_OFF,
    MIN_SCAN_INTERVAL,
    MIN_UNKNOWN_HOLD_OFF,
    PRINTER_SOURCES,
    SOURCE_ENTITY,
    SOURCE_IPP,
    SOURCE_LEDM,
    SOURCE_NONE,
)
from .coordinator.printer import make_printer_client
from .printer import (
    PrinterConnectionError,
    PrinterError,
    PrinterNotSupportedError,
    PrinterTimeoutError,
)


def _box(low: int, high: int, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=low, max=high, mode=NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


#: The numbers of the options' first step.
NUMBER_FIELDS: Final = {
    vol.Required(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): _box(
        MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, "s"
    ),
    vol.Required(CONF_COOLDOWN, default=DEFAULT_COOLDOWN): _box(0, MAX_COOLDOWN, "s"),
    vol.Required(CONF_RATE_LIMIT, default=DEFAULT_RATE_LIMIT): _box(1, MAX_RATE_LIMIT),
    vol.Required(CONF_UNKNOWN_HOLD_OFF, default=DEFAULT_UNKNOWN_HOLD_OFF): _box(
        MIN_UNKNOWN_HOLD_OFF, MAX_UNKNOWN_HOLD_OFF, "min"
    ),
    vol.Required(CONF_SHEETS_PER_HOUR, default=DEFAULT_SHEETS_PER_HOUR): _box(
        1, MAX_SHEETS_PER_HOUR
    ),
}
#: The to-do lists' switch of the options' first step: checking a job off prints it.
TODO_FIELD: Final = {
    vol.Required(
        CONF_RELEASE_FROM_TODO, default=DEFAULT_RELEASE_FROM_TODO
    ): BooleanSelector()
}
#: The source field of the options' first step. Optional without a default: a station
#: without a readiness source keeps exactly the options it had.
SOURCE_FIELD: Final = {
    vol.Optional(CONF_PRINTER_SOURCE): SelectSelector(
        SelectSelectorConfig(
            options=list(PRINTER_SOURCES),
            translation_key=CONF_PRINTER_SOURCE,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )
}
URL_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_PRINTER_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        vol.Required(CONF_PRINTER_VERIFY_SSL, default=False): BooleanSelector(),
        vol.Required(CONF_RELEASE_UNREACHABLE, default=False): BooleanSelector(),
    }
)
#: Suggested "not ready" states (others can be typed in).
SUGGESTED_NOT_READY: Final = ["stopped", "error", "offline", "paper_jam", "door_open"]
ENTITY_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_PRINTER_ENTITY): EntitySelector(EntitySelectorConfig()),
        vol.Optional(CONF_NOT_READY_STATES, default=[]): SelectSelector(
            SelectSelectorConfig(
                options=SUGGESTED_NOT_READY,
                multiple=True,
                custom_value=True,
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        vol.Required(CONF_RELEASE_UNREACHABLE, default=False): BooleanSelector(),
    }
)
EXAMPLE_URLS: Final = {
    SOURCE_LEDM: "https://192.0.2.10/",
    SOURCE_IPP: "ipp://192.0.2.10/ipp/print",
}
_SCHEMES: Final = {SOURCE_LEDM: ("http", "https"), SOURCE_IPP: ("ipp", "ipps")}
_URL_KEYS: Final = (CONF_PRINTER_URL, CONF_PRINTER_VERIFY_SSL, CONF_RELEASE_UNREACHABLE)
_ENTITY_KEYS: Final = (
    CONF_PRINTER_ENTITY,
    CONF_NOT_READY_STATES,
    CONF_RELEASE_UNREACHABLE,
)


def current(entry: ConfigEntry, source: str) -> dict[str, Any]:
    """The stored printer options to suggest, when the stored source is ``source``."""
    if entry.options.get(CONF_PRINTER_SOURCE) != source:
        return {}
    keys = _ENTITY_KEYS if source == SOURCE_ENTITY else _URL_KEYS
    return {k: entry.options[k] for k in keys if k in entry.options}


def _clean_url(source: str, raw: str) -> str | None:
    try:
        url = URL(raw.strip())
    except ValueError:
        return None
    if (
        url.scheme not in _SCHEMES[source]
        or not url.host
        or url.user is not None
        or url.password is not None
    ):
        return None
    if source == SOURCE_LEDM:
        url = url.with_path("/").with_query(None).with_fragment(None)
    return str(url)


async def async_check_url(
    hass: HomeAssistant, source: str, user_input: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """Check the printer URL by reading the printer; return (options, error key)."""
    url = _clean_url(source, str(user_input.get(CONF_PRINTER_URL, "")))
    if url is None:
        return {}, "invalid_printer_url"
    verify = bool(user_input.get(CONF_PRINTER_VERIFY_SSL, False))
    client = make_printer_client(hass, source, url, verify)
    try:
        await client.status()
    except PrinterNotSupportedError:
        return (
            {},
            "ledm_not_supported" if source == SOURCE_LEDM else "ipp_not_supported",
        )
    except PrinterTimeoutError:
        return {}, "printer_timeout"
    except PrinterConnectionError:
        return {}, "printer_cannot_connect"
    except PrinterError:
        return {}, "printer_invalid_response"
    return {
        CONF_PRINTER_SOURCE: source,
        CONF_PRINTER_URL: url,
        CONF_PRINTER_VERIFY_SSL: verify,
        CONF_RELEASE_UNREACHABLE: bool(user_input.get(CONF_RELEASE_UNREACHABLE)),
    }, None


def check_entity(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """Check the source entity exists; return (options, error key)."""
    entity_id = str(user_input.get(CONF_PRINTER_ENTITY, ""))
    if hass.states.get(entity_id) is None:
        return {}, "entity_not_found"
    states = [
        s.strip() for s in user_input.get(CONF_NOT_READY_STATES, []) if str(s).strip()
    ]
    return {
        CONF_PRINTER_SOURCE: SOURCE_ENTITY,
        CONF_PRINTER_ENTITY: entity_id,
        CONF_NOT_READY_STATES: list(dict.fromkeys(states)),
        CONF_RELEASE_UNREACHABLE: bool(user_input.get(CONF_RELEASE_UNREACHABLE)),
    }, None


class EzeepOptionsFlow(OptionsFlow):
    """Polling, cooldown, rate limit, and where the printer's readiness comes from.

    A readiness source other than none leads to a second step (``printer_url`` or
    ``printer_entity``).
    """

    #: The first step's values (the numbers and the to-do switch).
    _numbers: dict[str, int | bool]
    _source: str
    _edit_card_format = False
    _card_format: CardFormatStep
    _options: dict[str, Any]

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            self._edit_card_format = bool(user_input.pop(CONF_EDIT_CARD_FORMAT, False))
            source = user_input.pop(CONF_PRINTER_SOURCE, None) or SOURCE_NONE
            todo = bool(
                user_input.pop(CONF_RELEASE_FROM_TODO, DEFAULT_RELEASE_FROM_TODO)
            )
            self._numbers = {k: int(v) for k, v in user_input.items()}
            self._numbers[CONF_RELEASE_FROM_TODO] = todo
            if source == SOURCE_NONE:
                return self._save(self._numbers)
            self._source = source
            if source == SOURCE_ENTITY:
                return await self.async_step_printer_entity()
            return await self.async_step_printer_url()
        schema = vol.Schema(
            {**NUMBER_FIELDS, **TODO_FIELD, **SOURCE_FIELD, **EDIT_FIELD}
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, self.config_entry.options
            ),
        )

    async def async_step_printer_url(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The printer's LEDM (http/https) or IPP (ipp/ipps) URL; checked on submit."""
        checked = (
            await async_check_url(self.hass, self._source, user_input)
            if user_input is not None
            else None
        )
        return self._printer_step(
            "printer_url",
            URL_SCHEMA,
            user_input or current(self.config_entry, self._source),
            checked,
            {"example": EXAMPLE_URLS[self._source]},
        )

    async def async_step_printer_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """An entity of another integration and the states that mean "not ready"."""
        checked = (
            check_entity(self.hass, user_input) if user_input is not None else None
        )
        return self._printer_step(
            "printer_entity",
            ENTITY_SCHEMA,
            user_input or current(self.config_entry, SOURCE_ENTITY),
            checked,
        )

    def _printer_step(
        self,
        step_id: str,
        schema: vol.Schema,
        suggested: Mapping[str, Any],
        checked: tuple[dict[str, Any], str | None] | None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Save the checked printer options, or show the step (with the check's error)."""
        errors: dict[str, str] = {}
        if checked is not None:
            options, error = checked
            if error is None:
                return self._save(self._numbers | options)
            errors["base"] = error
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _save(self, options: dict[str, Any]) -> ConfigFlowResult:
        """Store the options (the card format kept), or go on to the card format step."""
        if not self._edit_card_format:
            stored = stored_card_format(self.config_entry.options)
            return self.async_create_entry(data=options | stored)
        self._options = options
        self._card_format = CardFormatStep(self.hass, self.config_entry.options)
        return self._card_format.show(self)

    async def async_step_card_format(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How a reader's value becomes the ezeep ID, with a live test."""
        if user_input is not None:
            saved = self._card_format.submit(user_input)
            if saved is not None:
                return self.async_create_entry(data=self._options | saved)
        return self._card_format.show(self)
