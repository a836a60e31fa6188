"""Tests of the TPFM parsers: bodies, job lines, headers and progress tokens (no network)."""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime
import logging

from hypothesis import example, given, settings, strategies as st
import pytest

from custom_components.ezeep.tpfm import (
    Capabilities,
    Job,
    ProgressEvent,
    ProgressUnit,
    TpfmParseError,
)
from custom_components.ezeep.tpfm.parsing import (
    decode_text,
    key_values,
    parse_capabilities,
    parse_job_line,
    parse_job_list,
    parse_os_error,
    parse_progress_token,
    parse_progress_type,
    parse_return_code,
    parse_version,
    parse_visible,
    split_sections,
)

from .fixtures import SPEC_JOB_LINES, b64, job_line

PARSING_LOGGER = "custom_components.ezeep.tpfm.parsing"

# -- sections and key=value lines ---------------------------------------------------------


def test_split_sections_crlf_lf_blank_lines_and_preamble() -> None:
    text = "preamble\r\n\r\n[A]\r\na=1\n  b = 2  \n\n[ B ]\nx\n[A]\nc=3\n[]\n"
    assert split_sections(text) == {
        "": ["preamble"],
        "A": ["a=1", "  b = 2  ", "c=3", "[]"],
        "B": ["x"],
    }


def test_split_sections_strips_bom_and_keeps_empty_sections() -> None:
    assert split_sections("\ufeff[Jobs]\r\n") == {"Jobs": []}
    assert split_sections("") == {}
    assert split_sections("\r\n  \r\n\t\n") == {}


def test_file_names_keep_their_spaces() -> None:
    body = '[Jobs]\r\n  two spaces .tpf :1:0:0:0:0:"x":" "\r\n'
    (job,) = parse_job_list(body).jobs
    assert job.file_name == "  two spaces .tpf "
    assert parse_job_line('f.tpf: 12 : 0 :0: 0 : id :"x":" "  \r\n').size == 12


def test_split_sections_splits_on_line_feeds_only() -> None:
    # U+2028, U+0085 and a form feed are no line breaks in a TPFM body.
    text = "[Jobs]\r\na\u2028b\x85c\x0cd\r\n"
    assert split_sections(text) == {"Jobs": ["a\u2028b\x85c\x0cd"]}


def test_key_values() -> None:
    assert key_values(["a=1", " b = two = 2 ", "no equals", "=orphan", "c="]) == {
        "a": "1",
        "b": "two = 2",
        "c": "",
    }


# -- GetVersion / GetCapabilities ----------------------------------------------------------


def test_parse_version() -> None:
    text = (
        "[FileVersions]\r\nTPFM.dll=5.0.1.2\r\nPPS.exe=5.0.0.9\r\n"
        "[Extra]\r\nkey=value\r\n"
    )
    info = parse_version(text)
    assert info.file_versions == {"TPFM.dll": "5.0.1.2", "PPS.exe": "5.0.0.9"}
    assert info.sections["Extra"] == {"key": "value"}


def test_parse_version_empty_section_and_empty_body() -> None:
    assert parse_version("[FileVersions]\r\n").file_versions == {}
    assert parse_version("").file_versions == {}
    assert parse_version("").sections == {}


SPEC_CAPABILITIES = (
    "[Commands]\r\n1=GetVersion\r\n2=GetCapabilities\r\n3=GetJobList\r\n4=DeleteJob\r\n"
    "5=PrintJob\r\n6=CancelPrintJob\r\n7=SetJobProperties\r\n[SYSTEM]\r\nType=essentials\r\n"
)


def test_parse_capabilities_spec_sample() -> None:
    caps = parse_capabilities(SPEC_CAPABILITIES)
    assert caps.commands == (
        "GetVersion",
        "GetCapabilities",
        "GetJobList",
        "DeleteJob",
        "PrintJob",
        "CancelPrintJob",
        "SetJobProperties",
    )
    assert caps.system == {"Type": "essentials"}
    assert caps.supports("printjob")
    assert caps.supports("PrintJob")
    assert not caps.supports("Unknown")


def test_parse_capabilities_orders_by_number_and_tolerates_odd_keys() -> None:
    text = "[Commands]\n10=Ten\n2=Two\nx=Extra\n3=\n1=One\n[Future]\na=b\n"
    caps = parse_capabilities(text)
    assert caps.commands == ("One", "Two", "Ten", "Extra")
    assert caps.system == {}
    assert caps.sections["Future"] == {"a": "b"}


def test_parse_capabilities_empty() -> None:
    assert parse_capabilities("") == Capabilities(commands=(), system={}, sections={})


# -- job lines -----------------------------------------------------------------------------


def test_spec_sample_lines() -> None:
    body = "[Jobs]\r\n" + "\r\n".join(SPEC_JOB_LINES) + "\r\n"
    jobs = parse_job_list(body).jobs
    assert [job.display_name for job in jobs] == [
        "one_char.docx",
        "Polarlicht_2.png",
        "bittetesten.pdf",
    ]
    first = jobs[0]
    assert first.file_name == (
        "2022-10-12_07.47.31_1fd4e6b9-44d1-4964-8f1e-e656978d3e79_"
        "9dce68fe-0814-4b74-a6c0-b2ae73fe6190_19cf8e9a-aa6b-4086-aad4-bbd9cef15810"
    )
    assert first.size == 11993
    assert first.created == datetime(2022, 10, 12, 7, 47, 31, tzinfo=UTC)
    assert first.modified == first.created
    assert first.attributes == 0
    assert first.job_id == "0"
    assert first.driver_name == ""  # the server sends " "
    assert first.name == "one_char.docx"
    assert not first.on_hold
    assert jobs[1].size == 4632133


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_job_list_line_endings(newline: str) -> None:
    body = newline.join(["[Jobs]", *SPEC_JOB_LINES, ""])
    parsed = parse_job_list(body, visible=True)
    assert len(parsed.jobs) == 3
    assert parsed.visible
    assert parsed.skipped == 0


@pytest.mark.parametrize(
    "display",
    [
        "Report: Q3 (final).pdf",
        'He said "hi"',
        '"quoted"',
        'a":"b',
        '":"',
        ":",
        "::",
        "Übersicht Grüße ÄÖÜß.docx",
        "Urlaub 🏖️ 2024 👨‍👩‍👧.jpg",
        "  padded  ",
        "tab\tinside",
        "a\u2028b",
    ],
)
def test_display_names_round_trip(display: str) -> None:
    line = job_line("f.tpf", display=display, driver="HP Universal")
    job = parse_job_line(line)
    assert job.display_name == display
    assert job.driver_name == "HP Universal"
    assert job.name == (display.strip() or "f.tpf")


def test_empty_display_name_falls_back_to_file_name() -> None:
    job = parse_job_line(job_line("12345.tpf", display="", driver=" "))
    assert job.display_name == ""
    assert job.name == "12345.tpf"
    blank = parse_job_line(job_line("12345.tpf", display="   "))
    assert blank.name == "12345.tpf"


def test_driver_name_space_and_missing_names() -> None:
    assert parse_job_line('f:1:0:0:0:0:"x":" "').driver_name == ""
    job = parse_job_line("f:1:0:0:0:abc")
    assert (job.display_name, job.driver_name, job.job_id) == ("", "", "abc")
    job = parse_job_line("f:1:0:0:0:abc:")
    assert (job.display_name, job.driver_name) == ("", "")
    assert parse_job_line('f:1:0:0:0:0:"only"').display_name == "only"
    assert parse_job_line('f:1:0:0:0:0:"":""').display_name == ""


def test_unquoted_names() -> None:
    job = parse_job_line("f:1:0:0:0:0:Display:Driver")
    assert (job.display_name, job.driver_name) == ("Display", "Driver")
    job = parse_job_line("f:1:0:0:0:0:Display only")
    assert (job.display_name, job.driver_name) == ("Display only", "")
    job = parse_job_line("f:1:0:0:0:0:a:b:Driver")
    assert (job.display_name, job.driver_name) == ("a:b", "Driver")


def test_driver_name_with_quote_colon_quote_is_read_into_the_display_name() -> None:
    """The documented limit of the heuristic: the last ``":"`` separates the names."""
    job = parse_job_line(job_line("f", display="doc", driver='drv":"x'))
    assert job.display_name == 'doc":"drv'
    assert job.driver_name == "x"


def test_on_hold_flag_and_job_id_and_dates() -> None:
    job = parse_job_line(
        'f.tpf:10:1665560851:1665560899:32:9dce68fe-0814:"d":"drv"', on_hold=True
    )
    assert job.on_hold
    assert job.job_id == "9dce68fe-0814"
    assert job.attributes == 32
    assert job.modified == datetime(2022, 10, 12, 7, 48, 19, tzinfo=UTC)


def test_date_limits() -> None:
    low = parse_job_line("f:1:-62135596800:253402300799:0:0")
    assert low.created == datetime(1, 1, 1, tzinfo=UTC)
    assert low.modified == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "too few fields"),
        ("just text", "too few fields"),
        ("a:1:2:3:4", "too few fields"),
        (':1:0:0:0:0:"x":" "', "empty file name"),
        ('   :1:0:0:0:0:"x":" "', "empty file name"),
        ('f:-1:0:0:0:0:"x":" "', "bad size"),
        ('f:big:0:0:0:0:"x":" "', "bad size"),
        ('f:1:253402300800:0:0:0:"x":" "', "bad created date"),
        ('f:1:0:-62135596801:0:0:"x":" "', "bad modified date"),
        ('f:1:0:99999999999999999999999:0:0:"x":" "', "bad modified date"),
        ('f:1:yesterday:0:0:0:"x":" "', "bad created date"),
        ('f:1:0:0:rw:0:"x":" "', "bad attributes"),
        ('f:1:0:0:0:0:"unterminated', "bad names"),
        ('f:1:0:0:0:0:"', "bad names"),
        ('f:1:0:0:0:0:"a":"', "bad names"),
        ('f:1:0:0:0:0:"a":"b', "bad names"),
        ("f:" + "9" * 5000 + ":0:0:0:0", "bad size"),
    ],
)
def test_malformed_job_lines_raise(line: str, reason: str) -> None:
    with pytest.raises(TpfmParseError, match=reason):
        parse_job_line(line)


def test_malformed_lines_are_skipped_counted_and_logged_without_their_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Secret Salary Review"
    body = "\r\n".join(
        [
            "[Jobs]",
            SPEC_JOB_LINES[0],
            f"{secret}.pdf:12:0:0",  # too few fields
            f'my:{secret}.pdf:12:0:0:0:0:"{secret}":" "',  # colon in file name
            f'{secret}.pdf:-5:0:0:0:0:"{secret}":" "',  # negative size
            f'{secret}.pdf:5:99999999999999:0:0:0:"{secret}":" "',  # date out of range
            SPEC_JOB_LINES[1],
            "",
        ]
    )
    with caplog.at_level(logging.WARNING, logger=PARSING_LOGGER):
        parsed = parse_job_list(body)
    assert [job.display_name for job in parsed.jobs] == [
        "one_char.docx",
        "Polarlicht_2.png",
    ]
    assert parsed.skipped == 4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert [r.args[0] for r in warnings if isinstance(r.args, tuple)] == [2, 3, 4, 5]
    for record in warnings:
        message = record.getMessage()
        assert secret not in message
        assert "Secret" not in message
        assert ".pdf" not in message
    assert secret not in caplog.text


def test_unknown_sections_and_lines_outside_jobs_are_ignored() -> None:
    body = (
        "stray line\r\n[Header]\r\nCount=3\r\n[Jobs]\r\n"
        + SPEC_JOB_LINES[2]
        + "\r\n[Future]\r\nnot:a:job\r\n"
    )
    parsed = parse_job_list(body)
    assert len(parsed.jobs) == 1
    assert parsed.skipped == 0


def test_empty_job_lists() -> None:
    assert parse_job_list("").jobs == ()
    assert parse_job_list("[Jobs]\r\n").jobs == ()
    assert not parse_job_list("[Jobs]\r\n").visible


def test_job_list_marks_on_hold() -> None:
    parsed = parse_job_list("[Jobs]\n" + SPEC_JOB_LINES[0], on_hold=True)
    assert parsed.jobs[0].on_hold


# -- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        (" 1 ", True),
        ("0", False),
        ("", False),
        (None, False),
        ("true", False),
        ("01", False),
        ("2", False),
    ],
)
def test_parse_visible(value: str | None, expected: bool) -> None:
    assert parse_visible(value) is expected


def test_parse_return_code() -> None:
    assert parse_return_code(None) is None
    assert parse_return_code("0") == 0
    assert parse_return_code(" 10 ") == 10
    for bad in ("", "ok", "1.5", "0x1"):
        with pytest.raises(TpfmParseError):
            parse_return_code(bad)


def test_parse_os_error() -> None:
    assert parse_os_error(None) is None
    assert parse_os_error(" 5 ") == 5
    assert parse_os_error("EACCES") is None
    assert parse_os_error("") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Pages", ProgressUnit.PAGES),
        (" pages ", ProgressUnit.PAGES),
        ("Page", ProgressUnit.PAGES),
        ("Percentage", ProgressUnit.PERCENT),
        ("PERCENT", ProgressUnit.PERCENT),
        ("Bytes", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_progress_type(value: str | None, expected: ProgressUnit | None) -> None:
    assert parse_progress_type(value) is expected


# -- error texts ---------------------------------------------------------------------------


def test_decode_text_spec_samples() -> None:
    assert decode_text("b3BlcmF0aW5nIHN5c3RlbSBlcnJvciBvY2N1cnJlZCA=") == (
        "operating system error occurred"
    )
    assert decode_text("QWNjZXNzIGRlbmllZA==") == "Access denied"
    assert decode_text("SW52YWxpZCBwcmludGVyIHdhcyBzcGVjaWZpZWQ=") == (
        "Invalid printer was specified"
    )


def test_decode_text_utf8_and_missing_padding() -> None:
    text = "Drucker nicht gefunden: Büro 🖨️"
    assert decode_text(b64(text)) == text
    assert decode_text(b64(text).rstrip("=")) == text
    assert decode_text(f"  {b64(text)}  ") == text


@pytest.mark.parametrize("value", [None, "", "   "])
def test_decode_text_empty(value: str | None) -> None:
    assert decode_text(value) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Access denied", "Access denied"),  # plain text with a space: not base64
        ("%%%not base64%%%", "%%%not base64%%%"),
        ("abcde", "abcde"),  # wrong length for base64
        ("Denied", "Denied"),  # valid base64 alphabet, but its bytes are not UTF-8
        ("Zugriff verweigert ä", "Zugriff verweigert ä"),
        ("bad\x00text\x07", "badtext"),
    ],
)
def test_decode_text_broken_base64_is_returned_as_text(
    value: str, expected: str
) -> None:
    assert decode_text(value) == expected


def test_decode_text_strips_control_characters_from_decoded_text() -> None:
    assert decode_text(b64("line one\r\nline\ttwo\x00\x1b[31m")) == (
        "line one  line two[31m"
    )


# -- progress tokens -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "unit", "expected"),
    [
        ("3/10", ProgressUnit.PAGES, ProgressEvent(3, 10, ProgressUnit.PAGES)),
        ("3/10\r\n", None, ProgressEvent(3, 10, ProgressUnit.PAGES)),
        (" 10/10 ", ProgressUnit.PAGES, ProgressEvent(10, 10, ProgressUnit.PAGES)),
        ("7", ProgressUnit.PAGES, ProgressEvent(7, None, ProgressUnit.PAGES)),
        ("42", ProgressUnit.PERCENT, ProgressEvent(42, 100, ProgressUnit.PERCENT)),
        ("42%", ProgressUnit.PERCENT, ProgressEvent(42, 100, ProgressUnit.PERCENT)),
        ("42 %", None, ProgressEvent(42, 100, ProgressUnit.PERCENT)),
        ("42", None, ProgressEvent(42, 100, ProgressUnit.PERCENT)),
        ("150", ProgressUnit.PERCENT, ProgressEvent(100, 100, ProgressUnit.PERCENT)),
        ("1/4", ProgressUnit.PERCENT, ProgressEvent(25, 100, ProgressUnit.PERCENT)),
        ("2/3", ProgressUnit.PERCENT, ProgressEvent(66, 100, ProgressUnit.PERCENT)),
        ("5/4", ProgressUnit.PERCENT, ProgressEvent(100, 100, ProgressUnit.PERCENT)),
        ("3/0", ProgressUnit.PERCENT, ProgressEvent(3, 100, ProgressUnit.PERCENT)),
        ("0/0", ProgressUnit.PAGES, ProgressEvent(0, 0, ProgressUnit.PAGES)),
        ("", ProgressUnit.PAGES, None),
        ("%", None, None),
        ("abc", None, None),
        ("X-FMP-Return: 0", ProgressUnit.PAGES, None),
        ("3/", ProgressUnit.PAGES, None),
        ("/10", ProgressUnit.PAGES, None),
        ("3/10/12", ProgressUnit.PAGES, None),
        ("-1", ProgressUnit.PERCENT, None),
        ("1/-10", ProgressUnit.PAGES, None),
        ("1.5", ProgressUnit.PERCENT, None),
    ],
)
def test_parse_progress_token(
    token: str, unit: ProgressUnit | None, expected: ProgressEvent | None
) -> None:
    assert parse_progress_token(token, unit) == expected


# -- properties ----------------------------------------------------------------------------

ARBITRARY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from('[]=:"\r\n0123456789/%-Jobs aä🖨\x00\x85\u2028')),
    st.binary().map(lambda data: data.decode("utf-8", errors="replace")),
)


@settings(max_examples=200, deadline=None)
@given(text=ARBITRARY_TEXT)
@example(text="[Jobs]\n" + "9" * 5000)
@example(text="[Commands]\n" + "9" * 5000 + "=x")
@example(text="[Jobs]\nf:1:-62135596800:253402300799:0:0")
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    parse_job_list(text)
    parse_version(text)
    parse_capabilities(text)
    for unit in (None, ProgressUnit.PAGES, ProgressUnit.PERCENT):
        parse_progress_token(text, unit)
    assert isinstance(decode_text(text), str)
    parse_progress_type(text)
    parse_visible(text)
    parse_os_error(text)
    try:
        job = parse_job_line(text)
    except TpfmParseError:
        pass
    else:
        assert isinstance(job, Job)
    with contextlib.suppress(TpfmParseError):
        parse_return_code(text)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=120))
def test_decode_text_never_raises_on_base64_of_any_bytes(data: bytes) -> None:
    decoded = decode_text(base64.b64encode(data).decode("ascii"))
    assert isinstance(decoded, str)
    assert all(ch.isprintable() for ch in decoded)


def _no_line_break(text: str) -> bool:
    return "\n" not in text and "\r" not in text


FILE_NAMES = st.text(min_size=1).filter(
    lambda s: ":" not in s and _no_line_break(s) and s.strip() != ""
)
NAMES = st.text().filter(_no_line_break)


@settings(max_examples=200, deadline=None)
@given(
    file_name=FILE_NAMES,
    size=st.integers(min_value=0, max_value=2**63),
    created=st.integers(min_value=0, max_value=253402300799),
    modified=st.integers(min_value=-62135596800, max_value=253402300799),
    attributes=st.integers(min_value=-(2**31), max_value=2**32),
    job_id=st.one_of(st.just("0"), st.uuids().map(str)),
    display=NAMES,
    driver=NAMES.filter(lambda s: '":"' not in s),
    on_hold=st.booleans(),
)
def test_job_line_round_trip(  # noqa: PLR0917
    file_name: str,
    size: int,
    created: int,
    modified: int,
    attributes: int,
    job_id: str,
    display: str,
    driver: str,
    on_hold: bool,
) -> None:
    """Any display name survives (even with ``":"``); a driver name must not hold ``":"``.

    The server does not escape the quoted names; the parser takes the last ``":"`` as the
    separator, so only a driver name containing ``":"`` is misread.
    """
    line = job_line(
        file_name,
        size=size,
        created=created,
        modified=modified,
        attributes=attributes,
        job_id=job_id,
        display=display,
        driver=driver,
    )
    for body in (f"[Jobs]\r\n{line}\r\n", f"[Jobs]\n{line}\n"):
        parsed = parse_job_list(body, on_hold=on_hold)
        assert parsed.skipped == 0
        (job,) = parsed.jobs
        assert job == Job(
            file_name=file_name,
            size=size,
            created=datetime.fromtimestamp(created, tz=UTC),
            modified=datetime.fromtimestamp(modified, tz=UTC),
            attributes=attributes,
            job_id=job_id,
            display_name=display,
            driver_name=driver.strip(),
            on_hold=on_hold,
        )
        assert job.name == (display.strip() or file_name)


def test_empty_display_name_and_a_colon_driver() -> None:
    """``"":":"``: the last ``":"`` belongs to the driver name, not to the separator."""
    job = parse_job_line('a.tpf:1:1665560851:1665560851:0:0:"":":"')
    assert (job.name, job.driver_name) == ("a.tpf", ":")
