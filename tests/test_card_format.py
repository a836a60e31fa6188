"""Card formats (card_format.py): presets, steps and chains on real-looking reader values.

Examples are what readers send: ESPHome NFC readers (PN532, RC522, PN7150) write the UID
as upper-case hex bytes with dashes (``04-A2-3B-1C-5D-80-7F`` for a 7-byte UID); ESPHome's
``wiegand`` ``on_tag`` writes the 24 data bits of a 26-bit frame as a decimal number
(facility 123, card 45678 -> ``8106606``); keyboard-mode USB readers type decimal or hex.
The expected IDs were worked out by hand (hex digits times powers of 16).
"""

from __future__ import annotations

import pytest

from custom_components.ezeep.card_format import (
    FORMATS,
    MAX_INPUT,
    PRESETS,
    CardFormat,
    CardFormatError,
    InvalidChainError,
    card_format,
    mask_id,
    parse_chain,
)

# (preset, raw value, ID sent to ezeep)
PRESET_CASES = [
    ("as_read", "74-10-37-94", "74-10-37-94"),
    ("as_read", " 0004711234\r\n", "0004711234"),  # a keyboard reader's line end
    ("esphome_hex", "74-10-37-94", "74103794"),
    ("esphome_hex", "04-a2-3b-1c-5d-80-7f", "04A23B1C5D807F"),
    ("esphome_hex", "04:A2:3B:1C:5D:80", "04A23B1C5D80"),
    ("esphome_decimal", "74-10-37-94", "1947219860"),
    ("esphome_decimal", "04-A2-3B-1C-5D-80-7F", "1304274669502591"),
    ("esphome_decimal", "04 a2 3b 1c 5d 80", "5094822927744"),
    ("reversed_decimal", "74-10-37-94", "2486636660"),
    ("reversed_decimal", "04-A2-3B-1C-5D-80-7F", "35888459436237316"),
    ("reversed_decimal", "04-A2-3B-1C-5D-80", "141137393984004"),
    ("wiegand26_card_number", "8106606", "45678"),  # facility 123, card 45678
    ("wiegand26_card_number", "100", "100"),  # facility 0
    ("wiegand26_card_number", "16777215", "65535"),  # facility 255, card 65535
    ("wiegand26_card_number", "65536", "0"),  # facility 1, card 0
]


@pytest.mark.parametrize(("preset", "raw", "expected"), PRESET_CASES)
def test_presets(preset: str, raw: str, expected: str) -> None:
    """Each preset turns a reader's value into the ID ezeep knows."""
    assert card_format(preset).convert(raw) == expected


def test_every_preset_is_tested() -> None:
    """The table above covers every preset (a new one needs its examples)."""
    assert {preset for preset, _raw, _id in PRESET_CASES} == set(PRESETS)
    assert (*PRESETS, "custom") == FORMATS


# (chain, raw value, result): every step, alone and chained
STEP_CASES = [
    ("drop_separators", "AB-CD:12 34", "ABCD1234"),
    ("hex_to_dec", "ff", "255"),
    ("hex_to_dec", "1234567", "19088743"),  # odd length
    ("hex_to_dec", "00000001", "1"),
    ("dec_to_hex", "255", "FF"),
    ("dec_to_hex", "4095", "0FFF"),  # whole bytes
    ("dec_to_hex", "0", "00"),
    ("reverse_bytes", "04A23B1C5D807F", "7F805D1C3BA204"),
    ("reverse_bytes", "a23b1", "b1230a"),  # odd length: a leading zero, case kept
    ("first_bytes: 4", "04A23B1C5D807F", "04A23B1C"),
    ("last_bytes: 2", "04A23B1C5D807F", "807F"),
    ("last_bytes: 4", "A2B", "0A2B"),  # shorter than N: all of it, in whole bytes
    ("strip_zeros", "0004711", "4711"),
    ("strip_zeros", "0000", "0"),
    ("pad_zeros: 10", "4711", "0000004711"),
    ("pad_zeros: 3", "4711", "4711"),  # never cut
    ("upper", "abcd", "ABCD"),
    ("lower", "ABCD", "abcd"),
    (r"regex: ^ID=(\d+);", "ID=0815;site=2", "0815"),
    (r"regex: \d{4}$", "card 12345678", "5678"),  # no group: the whole match
    (
        "DROP_SEPARATORS\n\n# then\nReverse_Bytes\nhex_to_dec",
        "74-10-37-94",
        "2486636660",
    ),
    (
        "drop_separators\nreverse_bytes\nhex_to_dec\npad_zeros: 10",
        "01-00-00-00",
        "0000000001",
    ),
    (
        "regex: ^W26:(\\d+)$\ndec_to_hex\nlast_bytes: 2\nhex_to_dec",
        "W26:8106606",
        "45678",
    ),
    ("hex_to_dec\ndec_to_hex\nlower", "0ABC", "0abc"),
]


@pytest.mark.parametrize(("chain", "raw", "expected"), STEP_CASES)
def test_steps(chain: str, raw: str, expected: str) -> None:
    """Steps apply in the order written; names are case-insensitive; comments skipped."""
    assert parse_chain(chain).convert(raw) == expected


# (preset or chain, raw value, reason, step): refused, so nothing is sent
REFUSED_CASES = [
    ("esphome_decimal", "not-a-card", "not_hex", "hex_to_dec"),
    ("esphome_decimal", "04-A2-3G", "not_hex", "hex_to_dec"),
    ("reversed_decimal", "12-34-XY", "not_hex", "reverse_bytes"),
    ("wiegand26_card_number", "04-A2-3B", "not_decimal", "dec_to_hex"),
    ("wiegand26_card_number", "-5", "not_decimal", "dec_to_hex"),
    ("wiegand26_card_number", "12.5", "not_decimal", "dec_to_hex"),
    ("esphome_hex", "test-card-7", "no_match", "regex"),  # only hex digits pass
    ("esphome_hex", "", "empty", "input"),
    ("as_read", "  \n", "empty", "input"),
    ("as_read", "1" * (MAX_INPUT + 1), "too_long", "input"),
    ("regex: ^(\\d+)$", "AB12", "no_match", "regex"),
    ("regex: ^x(\\d*)", "x", "empty", "regex"),
    ("regex: (a)|(b)", "b", "no_match", "regex"),  # the first group did not take part
    ("drop_separators", "- : -", "empty", "drop_separators"),
    ("first_bytes: 2", "12-34", "not_hex", "first_bytes"),
    ("last_bytes: 2", "0x1234", "not_hex", "last_bytes"),
]


@pytest.mark.parametrize(("fmt", "raw", "reason", "step"), REFUSED_CASES)
def test_unconvertible_values(fmt: str, raw: str, reason: str, step: str) -> None:
    """A value the chain cannot convert raises CardFormatError naming the step."""
    chain = card_format(fmt) if fmt in PRESETS else parse_chain(fmt)
    with pytest.raises(CardFormatError) as err:
        chain.convert(raw)
    assert (err.value.reason, err.value.step) == (reason, step)


@pytest.mark.parametrize(
    ("chain", "line", "reason"),
    [
        ("drop_separators\nhex2dec", 2, "unknown_step"),
        ("last_bytes", 1, "bad_argument"),
        ("last_bytes: 0", 1, "bad_argument"),
        ("last_bytes: 65", 1, "bad_argument"),
        ("pad_zeros: ten", 1, "bad_argument"),
        ("pad_zeros: 129", 1, "bad_argument"),
        ("upper: please", 1, "bad_argument"),
        ("regex:", 1, "bad_argument"),
        ("regex: " + "a" * 201, 1, "bad_argument"),
        ("\n\nregex: ([0-9]", 3, "bad_regex"),
        ("upper\n" * 21, 21, "too_many_steps"),
    ],
)
def test_invalid_chains(chain: str, line: int, reason: str) -> None:
    """A chain that is not one names its line and why."""
    with pytest.raises(InvalidChainError) as err:
        parse_chain(chain)
    assert (err.value.line, err.value.reason) == (line, reason)


def test_custom_and_unknown_presets() -> None:
    """``custom`` reads its chain; no preset or an unknown one is the value as read."""
    assert card_format("custom", "lower").convert("AB-CD") == "ab-cd"
    assert card_format("custom", None) == CardFormat()
    assert card_format(None) == CardFormat()
    assert card_format("gone_in_a_later_version") == CardFormat()
    with pytest.raises(InvalidChainError):
        card_format("custom", "nonsense")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("1947219860", "••••••9860"),
        ("04A23B1C5D807F", "••••••••••807F"),
        ("4711", "••11"),
        ("42", "•2"),
        ("7", "•"),
        ("", ""),
    ],
)
def test_mask_id(value: str, masked: str) -> None:
    """Only the last 4 characters show (half of a short ID), the length stays visible."""
    assert mask_id(value) == masked
