"""Card formats: how a reader's raw value becomes the ID the ezeep server knows.

Pure Python, no Home Assistant. The ezeep server knows a person by the value the reader at
registration sent; the readers people attach to Home Assistant write the same card
differently (ESPHome NFC readers ``74-10-37-94``, Wiegand readers a decimal number, USB
readers in keyboard mode decimal or hex, some with the bytes reversed). A format is a chain
of steps applied in order, written one step per line (``name`` or ``name: argument``)::

    drop_separators
    reverse_bytes
    hex_to_dec

A value a step cannot convert raises :class:`CardFormatError`; nothing may be sent to the
server for it (an unknown ID makes the printer print a registration sheet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import re
from typing import Final

#: Longest raw value converted (a card's serial, never a paragraph).
MAX_INPUT: Final = 256
#: Most steps in a chain.
MAX_STEPS: Final = 20
MAX_BYTES: Final = 64
MAX_WIDTH: Final = 128
MAX_PATTERN: Final = 200

_HEX = re.compile(r"[0-9A-Fa-f]+")
_DECIMAL = re.compile(r"[0-9]+")
_SEPARATORS = re.compile(r"[-:\s]")

PRESET_AS_READ: Final = "as_read"
PRESET_CUSTOM: Final = "custom"
#: The presets as chains. The Wiegand preset expects ESPHome's ``wiegand`` ``on_tag``
#: value: the 24 data bits of a 26-bit frame (parity bits dropped) as a decimal number,
#: facility code in the high 8 bits; the card number is the low 16 bits.
PRESETS: Final[dict[str, str]] = {
    PRESET_AS_READ: "",
    "esphome_hex": "drop_separators\nregex: ^([0-9A-Fa-f]+)$\nupper",
    "esphome_decimal": "drop_separators\nhex_to_dec",
    "reversed_decimal": "drop_separators\nreverse_bytes\nhex_to_dec",
    "wiegand26_card_number": "dec_to_hex\nlast_bytes: 2\nhex_to_dec",
}
#: The choices of the options form: the presets, then a chain of one's own.
FORMATS: Final = (*PRESETS, PRESET_CUSTOM)


class CardFormatError(ValueError):
    """A value the format cannot convert.

    ``reason``: ``too_long``, ``empty``, ``no_match``, ``not_hex``, ``not_decimal``;
    ``step``: the step's name (``input`` for the raw value itself).
    """

    def __init__(self, reason: str, step: str) -> None:
        """Refuse a value: why, and at which step."""
        super().__init__(f"{step}: {reason}")
        self.reason = reason
        self.step = step


class InvalidChainError(ValueError):
    """A chain's text that is not a chain (``line``: 1-based; ``reason``)."""

    def __init__(self, line: int, reason: str) -> None:
        """Refuse a chain: the line and why."""
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def _whole_bytes(value: str, step: str) -> list[str]:
    """Hex digits as bytes (an odd count gets a leading zero, as a number would)."""
    if not _HEX.fullmatch(value):
        raise CardFormatError("not_hex", step)
    if len(value) % 2:
        value = "0" + value
    return [value[i : i + 2] for i in range(0, len(value), 2)]


def _hex_to_dec(value: str, _arg: object) -> str:
    if not _HEX.fullmatch(value):
        raise CardFormatError("not_hex", "hex_to_dec")
    return str(int(value, 16))


def _dec_to_hex(value: str, _arg: object) -> str:
    if not _DECIMAL.fullmatch(value):
        raise CardFormatError("not_decimal", "dec_to_hex")
    digits = f"{int(value):X}"
    return digits.zfill(len(digits) + len(digits) % 2)  # whole bytes


def _regex(value: str, pattern: object) -> str:
    assert isinstance(pattern, re.Pattern)
    match = pattern.search(value)
    kept = (match.group(1) if pattern.groups else match.group(0)) if match else None
    if kept is None:
        raise CardFormatError("no_match", "regex")
    return kept


def _first_bytes(value: str, count: object) -> str:
    assert isinstance(count, int)
    return "".join(_whole_bytes(value, "first_bytes")[:count])


def _last_bytes(value: str, count: object) -> str:
    assert isinstance(count, int)
    return "".join(_whole_bytes(value, "last_bytes")[-count:])


def _strip_zeros(value: str, _arg: object) -> str:
    return value.lstrip("0") or ("0" if value else "")


def _pad_zeros(value: str, width: object) -> str:
    assert isinstance(width, int)
    return value.rjust(width, "0")


#: name -> (function, kind of argument: None, "bytes", "width" or "pattern").
STEPS: Final[dict[str, tuple[Callable[[str, object], str], str | None]]] = {
    "regex": (_regex, "pattern"),
    "drop_separators": (lambda value, _arg: _SEPARATORS.sub("", value), None),
    "hex_to_dec": (_hex_to_dec, None),
    "dec_to_hex": (_dec_to_hex, None),
    "reverse_bytes": (
        lambda value, _arg: "".join(reversed(_whole_bytes(value, "reverse_bytes"))),
        None,
    ),
    "first_bytes": (_first_bytes, "bytes"),
    "last_bytes": (_last_bytes, "bytes"),
    "strip_zeros": (_strip_zeros, None),
    "pad_zeros": (_pad_zeros, "width"),
    "upper": (lambda value, _arg: value.upper(), None),
    "lower": (lambda value, _arg: value.lower(), None),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a chain: its name and its argument (a number or a compiled pattern)."""

    name: str
    arg: int | re.Pattern[str] | None = None

    def apply(self, value: str) -> str:
        """Convert a value (raises :class:`CardFormatError`)."""
        function, _kind = STEPS[self.name]
        return function(value, self.arg)


@dataclass(frozen=True, slots=True)
class CardFormat:
    """A chain of steps; no steps: the value as read."""

    steps: tuple[Step, ...] = ()

    def convert(self, raw: str) -> str:
        """Return the ID for a reader's raw value (surrounding spaces and line ends go).

        Raises:
            CardFormatError: the value is too long, empty, or a step cannot convert it.

        """
        value = raw.strip()
        if len(value) > MAX_INPUT:
            raise CardFormatError("too_long", "input")
        if not value:
            raise CardFormatError("empty", "input")
        for step in self.steps:
            value = step.apply(value)
            if not value:
                raise CardFormatError("empty", step.name)
        return value


def _argument(kind: str, text: str, line: int) -> int | re.Pattern[str]:
    if kind == "pattern":
        if not text or len(text) > MAX_PATTERN:
            raise InvalidChainError(line, "bad_argument")
        try:
            return re.compile(text)
        except re.error:
            raise InvalidChainError(line, "bad_regex") from None
    high = MAX_BYTES if kind == "bytes" else MAX_WIDTH
    if not text.isdigit() or not 1 <= int(text) <= high:
        raise InvalidChainError(line, "bad_argument")
    return int(text)


def parse_chain(text: str) -> CardFormat:
    """Read a chain: one step per line, ``name`` or ``name: argument``.

    Blank lines and lines starting with ``#`` are skipped. A regular expression is
    everything after the first colon, surrounding spaces removed.

    Raises:
        InvalidChainError: an unknown step, a missing or wrong argument, a regular
            expression that does not compile, or more than ``MAX_STEPS`` steps.

    """
    steps: list[Step] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name, colon, rest = line.strip().partition(":")
        name = name.strip().lower()
        if not name or name.startswith("#"):
            continue
        if name not in STEPS:
            raise InvalidChainError(number, "unknown_step")
        kind = STEPS[name][1]
        if kind is None:
            if colon and rest.strip():
                raise InvalidChainError(number, "bad_argument")
            steps.append(Step(name))
        else:
            steps.append(Step(name, _argument(kind, rest.strip(), number)))
        if len(steps) > MAX_STEPS:
            raise InvalidChainError(number, "too_many_steps")
    return CardFormat(tuple(steps))


def card_format(preset: str | None, chain: str | None = None) -> CardFormat:
    """The format of a preset, or of ``chain`` with ``custom`` (unknown names: as read).

    Raises:
        InvalidChainError: ``custom`` with a chain that is not one.

    """
    if preset == PRESET_CUSTOM:
        return parse_chain(chain or "")
    return parse_chain(PRESETS.get(preset or PRESET_AS_READ, ""))


def mask_id(value: str) -> str:
    """Hide an ID but its end: the last 4 characters (half of a shorter one) are shown."""
    shown = min(4, len(value) // 2)
    return "•" * (len(value) - shown) + (value[-shown:] if shown else "")
