"""The options flow's card format step: a preset or an own chain, with a live test.

The form shows what the chosen format makes of the last value scanned at any reader (within
``card_reader.RECENT_SCAN``) and of a value typed into the form, both masked (only the last
4 characters). Submitting with another format, with a value to try, or after another card
was scanned shows the results again; submitting again without changes saves. A chain that does not read cannot be saved;
values the format cannot convert are reported, not blocking (the admin decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import probatio as vol

from .card_format import (
    FORMATS,
    PRESET_AS_READ,
    PRESET_CUSTOM,
    PRESETS,
    CardFormat,
    CardFormatError,
    InvalidChainError,
    card_format,
    mask_id,
)
from .card_reader import RECENT_SCAN, recent_scan
from .const import CONF_CARD_FORMAT, CONF_CARD_FORMAT_STEPS
from .validation import InvalidUserIdError, clean_user_id

#: The init step's switch that leads to this step (not stored).
CONF_EDIT_CARD_FORMAT: Final = "edit_card_format"
#: A value to try (never stored).
CONF_CARD_FORMAT_TRY: Final = "card_format_try"
EDIT_FIELD: Final = {vol.Optional(CONF_EDIT_CARD_FORMAT): BooleanSelector()}
SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_CARD_FORMAT, default=PRESET_AS_READ): SelectSelector(
            SelectSelectorConfig(
                options=list(FORMATS),
                translation_key=CONF_CARD_FORMAT,
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        vol.Optional(CONF_CARD_FORMAT_STEPS): TextSelector(
            TextSelectorConfig(multiline=True)
        ),
        vol.Optional(CONF_CARD_FORMAT_TRY): TextSelector(),
    }
)
#: Shown for a value there is none of (nothing scanned, nothing typed, not convertible).
NONE: Final = "—"


def stored_card_format(options: Mapping[str, Any]) -> dict[str, Any]:
    """The card format part of stored options (kept when the other steps save)."""
    return {
        key: options[key]
        for key in (CONF_CARD_FORMAT, CONF_CARD_FORMAT_STEPS)
        if key in options
    }


def _convert(fmt: CardFormat, raw: str) -> tuple[str, str | None]:
    """The masked ID a value becomes, or NONE and the reason it cannot be converted."""
    try:
        return mask_id(clean_user_id(fmt.convert(raw))), None
    except CardFormatError as err:
        return NONE, err.reason
    except InvalidUserIdError:
        return NONE, "invalid_id"


class CardFormatStep:
    """The step's state: the format last tested, its results and the form's errors."""

    def __init__(self, hass: HomeAssistant, options: Mapping[str, Any]) -> None:
        """Start from the stored format; test it on the last scan at once."""
        self.hass = hass
        preset = str(options.get(CONF_CARD_FORMAT, PRESET_AS_READ))
        if preset not in FORMATS:
            preset = PRESET_AS_READ
        self.suggested: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.placeholders: dict[str, str] = {}
        self._tested = ("", "")
        self._scanned: str | None = None
        self._test(preset, str(options.get(CONF_CARD_FORMAT_STEPS, "")), "")

    def submit(self, user_input: Mapping[str, Any]) -> dict[str, str] | None:
        """Test the submitted format; return the options to save, or None to show again.

        It saves only a format already shown with its results on the card scanned last,
        and no value to try.
        """
        preset = str(user_input.get(CONF_CARD_FORMAT, PRESET_AS_READ))
        chain = str(user_input.get(CONF_CARD_FORMAT_STEPS) or "").strip()
        tried = str(user_input.get(CONF_CARD_FORMAT_TRY) or "")
        seen = (
            self._tested == self._key(preset, chain)
            and self._scanned == recent_scan(self.hass)
            and not tried.strip()
        )
        valid = self._test(preset, chain, tried)
        if not (seen and valid):
            return None
        if preset == PRESET_CUSTOM:
            return {CONF_CARD_FORMAT: preset, CONF_CARD_FORMAT_STEPS: chain}
        return {CONF_CARD_FORMAT: preset}

    def show(self, flow: OptionsFlow) -> ConfigFlowResult:
        """Show the step with the latest results."""
        return flow.async_show_form(
            step_id="card_format",
            data_schema=flow.add_suggested_values_to_schema(SCHEMA, self.suggested),
            errors=self.errors,
            description_placeholders=self.placeholders,
        )

    @staticmethod
    def _key(preset: str, chain: str) -> tuple[str, str]:
        return preset, chain if preset == PRESET_CUSTOM else ""

    def _test(self, preset: str, chain: str, tried: str) -> bool:
        """Test a format on the last scan and the typed value; False: the chain is bad."""
        self.errors = {}
        self._tested = self._key(preset, chain)
        # The chain field shows the preset's own steps: a start for a custom chain.
        shown_chain = chain if preset == PRESET_CUSTOM else PRESETS[preset]
        self.suggested = {CONF_CARD_FORMAT: preset, CONF_CARD_FORMAT_STEPS: shown_chain}
        try:
            fmt: CardFormat | None = card_format(preset, chain)
        except InvalidChainError:
            fmt = None
            self.errors[CONF_CARD_FORMAT_STEPS] = "invalid_chain"
        scanned = self._scanned = recent_scan(self.hass)
        self.placeholders = {
            "minutes": str(int(RECENT_SCAN.total_seconds() // 60)),
            "scanned": mask_id(scanned) if scanned else NONE,
            "scanned_id": NONE,
            "tried": mask_id(tried.strip()) if tried.strip() else NONE,
            "tried_id": NONE,
        }
        if fmt is None:
            return False
        if scanned:
            self.placeholders["scanned_id"], reason = _convert(fmt, scanned)
            if reason is not None:
                self.errors["base"] = "scanned_not_convertible"
        if tried.strip():
            self.placeholders["tried_id"], reason = _convert(fmt, tried)
            if reason is not None:
                self.errors[CONF_CARD_FORMAT_TRY] = f"card_{reason}"
        return True
