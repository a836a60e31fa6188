"""Tolerant parsers for TPFM bodies, headers and progress tokens.

The parsers accept CRLF and LF, unknown sections and stray whitespace. A malformed job line
is skipped with a warning; anything else they cannot read raises :class:`TpfmParseError`
and nothing else.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
import logging

from .errors import TpfmParseError
from .models import Capabilities, Job, JobList, ProgressEvent, ProgressUnit, VersionInfo

_LOGGER = logging.getLogger(__name__)

# Seconds since 1970 that datetime can represent on every platform.
_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z
_MIN_EPOCH = -62135596800  # 0001-01-01T00:00:00Z


def split_sections(text: str) -> dict[str, list[str]]:
    """Split an INI-like body into sections of non-blank lines.

    Lines before the first ``[Section]`` land in the section ``""``. Section names keep
    their case; a repeated section continues the earlier one. Lines lose their line
    ending only: a job file name is sent back as it came, spaces included.
    """
    sections: dict[str, list[str]] = {}
    current = ""
    # Split on line feeds only: str.splitlines() would also split a display name at
    # characters such as U+2028, U+0085 or a form feed.
    for raw in text.removeprefix("\ufeff").split("\n"):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            current = stripped[1:-1].strip()
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


def key_values(lines: Iterable[str]) -> dict[str, str]:
    """Read ``key=value`` lines; lines without ``=`` are ignored."""
    values: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip():
            values[key.strip()] = value.strip()
    return values


def _all_key_values(sections: Mapping[str, list[str]]) -> dict[str, dict[str, str]]:
    return {name: key_values(lines) for name, lines in sections.items() if name}


def parse_version(text: str) -> VersionInfo:
    """Parse a GetVersion body."""
    sections = _all_key_values(split_sections(text))
    return VersionInfo(
        file_versions=sections.get("FileVersions", {}), sections=sections
    )


def parse_capabilities(text: str) -> Capabilities:
    """Parse a GetCapabilities body: ``[Commands]`` ``n=Name`` lines and ``[SYSTEM]``."""
    sections = _all_key_values(split_sections(text))
    numbered: list[tuple[int, str]] = []
    for key, value in sections.get("Commands", {}).items():
        if not value:
            continue
        try:
            numbered.append((int(key), value))
        except ValueError:
            numbered.append((1 << 30, value))
    commands = tuple(name for _, name in sorted(numbered, key=lambda item: item[0]))
    return Capabilities(
        commands=commands, system=sections.get("SYSTEM", {}), sections=sections
    )


def _epoch(value: str) -> datetime:
    seconds = int(value)
    if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        raise ValueError("date out of range")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("negative number")
    return number


def _unquote_names(rest: str) -> tuple[str, str]:
    """Split ``"display name":"driver name"`` into its two names.

    The server does not escape quotes or colons inside the names, so the display name runs
    from the first quote to the last ``":"``; a driver name with ``":"`` in it cannot be
    told apart and is read as part of the display name.
    """
    rest = rest.strip()
    if not rest:
        return "", ""
    if not rest.startswith('"'):
        # Unquoted names: the driver name follows the last colon, if any.
        display, _, driver = rest.rpartition(":")
        return (display, driver) if display else (driver, "")
    sep = rest.rfind('":"')
    if sep > 0:
        if not rest.endswith('"'):
            raise ValueError("unterminated driver name")
        # The last separator that leaves a closing quote of its own: in ``"":":"`` (an
        # empty display name, the driver ":") the last ``":"`` is the driver's.
        while len(rest) < sep + 4:
            sep = rest.rfind('":"', 0, sep + 2)
            if sep <= 0:
                raise ValueError("unterminated driver name")
        return rest[1:sep], rest[sep + 3 : -1]
    if len(rest) >= 2 and rest.endswith('"'):
        return rest[1:-1], ""
    raise ValueError("unterminated display name")


def parse_job_line(line: str, *, on_hold: bool = False) -> Job:
    """Parse ``file:size:created:modified:attributes:jobid:"display":"driver"``.

    The file name is kept exactly (it is the key DeleteJob and PrintJob take back); the
    other fields may carry stray whitespace.

    Raises:
        TpfmParseError: the line is not a job line.

    """
    fields = line.rstrip("\r\n").split(":", 6)
    if len(fields) < 6:
        raise TpfmParseError("job line has too few fields")
    file_name = fields[0]
    size, created, modified, attributes, job_id = (f.strip() for f in fields[1:6])
    if not file_name.strip():
        raise TpfmParseError("malformed job line: empty file name")
    # The messages name the field, never its value: a shifted line (a file name with a
    # colon) would otherwise put part of a person's file name into the log.
    what = "names"
    try:
        display, driver = _unquote_names(fields[6] if len(fields) > 6 else "")
        what = "size"
        size_value = _non_negative(size)
        what = "created date"
        created_value = _epoch(created)
        what = "modified date"
        modified_value = _epoch(modified)
        what = "attributes"
        attributes_value = int(attributes)
    except ValueError, OverflowError, OSError:
        raise TpfmParseError(f"malformed job line: bad {what}") from None
    return Job(
        file_name=file_name,
        size=size_value,
        created=created_value,
        modified=modified_value,
        attributes=attributes_value,
        job_id=job_id,
        display_name=display,
        driver_name=driver.strip(),
        on_hold=on_hold,
    )


def parse_job_list(
    text: str, *, visible: bool = False, on_hold: bool = False
) -> JobList:
    """Parse a GetJobList body; malformed lines are skipped and counted."""
    sections = split_sections(text)
    jobs: list[Job] = []
    skipped = 0
    for number, line in enumerate(sections.get("Jobs", []), start=1):
        try:
            jobs.append(parse_job_line(line, on_hold=on_hold))
        except TpfmParseError as err:
            skipped += 1
            # The line itself holds a person's file names: log its position, not its text.
            _LOGGER.warning("Skipping job line %d of a job list: %s", number, err)
    return JobList(jobs=tuple(jobs), visible=visible, skipped=skipped)


def parse_visible(value: str | None) -> bool:
    """``X-FMP-Visible``: only the exact value 1 allows offering single jobs."""
    return value is not None and value.strip() == "1"


def parse_return_code(value: str | None) -> int | None:
    """Parse an ``X-FMP-Return`` value; None when absent.

    Raises:
        TpfmParseError: the value is not an integer.

    """
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise TpfmParseError("X-FMP-Return is not a number") from None


def parse_os_error(value: str | None) -> int | None:
    """Parse ``X-FMP-OSError``; anything that is not an integer counts as absent."""
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def decode_text(value: str | None) -> str:
    """Decode a base64 ``X-FMP-ErrText`` / ``X-FMP-OSErrText`` value.

    Empty or absent values give ``""``. A value that is not valid base64 is returned as it
    came (the server may have sent plain text), with control characters removed.
    """
    if not value:
        return ""
    raw = value.strip()
    try:
        padded = raw + "=" * (-len(raw) % 4)
        # Strict UTF-8: plain text such as "Denied" is also valid base64, but its bytes
        # are not UTF-8; such a value is shown as it came instead of as mojibake.
        decoded = base64.b64decode(padded, validate=True).decode("utf-8")
    except binascii.Error, ValueError:
        decoded = raw
    return "".join(
        " " if ch.isspace() else ch
        for ch in decoded
        if ch.isprintable() or ch.isspace()
    ).strip()


def parse_progress_token(token: str, unit: ProgressUnit | None) -> ProgressEvent | None:
    """Parse one progress token: ``3/10`` (pages) or ``42`` / ``42%`` (percent).

    Returns None for a token that is no progress token. With no known unit, ``n/m`` counts
    pages and a bare number percent.
    """
    text = token.strip().rstrip("%").strip()
    if not text:
        return None
    done_text, sep, total_text = text.partition("/")
    try:
        done = int(done_text)
        total = int(total_text) if sep else None
    except ValueError:
        return None
    if done < 0 or (total is not None and total < 0):
        return None
    if unit is None:
        unit = ProgressUnit.PAGES if sep else ProgressUnit.PERCENT
    if unit is ProgressUnit.PERCENT:
        if total:
            done = done * 100 // total
        # A percentage is always out of 100 (also for a token like "3/0").
        done, total = min(100, done), 100
    return ProgressEvent(done=done, total=total, unit=unit)


def parse_progress_type(value: str | None) -> ProgressUnit | None:
    """``X-FMP-ProgressType``: ``Pages`` or ``Percentage``; None when absent or unknown."""
    if value is None:
        return None
    kind = value.strip().casefold()
    if kind.startswith("page"):
        return ProgressUnit.PAGES
    if kind.startswith("percent"):
        return ProgressUnit.PERCENT
    return None
