"""Typed models of what a TPFM server answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ProgressUnit(StrEnum):
    """What a progress event counts."""

    PAGES = "pages"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """GetVersion: the server's component versions (``[FileVersions]``) and any other sections."""

    file_versions: Mapping[str, str]
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """GetCapabilities: the commands the server offers this user, and ``[SYSTEM]`` values."""

    commands: tuple[str, ...]
    system: Mapping[str, str]
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def supports(self, command: str) -> bool:
        """Return whether the server lists ``command`` (case-insensitive)."""
        wanted = command.casefold()
        return any(cmd.casefold() == wanted for cmd in self.commands)


@dataclass(frozen=True, slots=True)
class Job:
    """One job of a GetJobList answer.

    ``file_name`` is what DeleteJob, PrintJob and SetJobProperties take as ``Job``.
    """

    file_name: str
    size: int
    created: datetime
    modified: datetime
    attributes: int
    job_id: str
    display_name: str
    driver_name: str
    on_hold: bool = False

    @property
    def name(self) -> str:
        """What to show a person: the display name, or the file name when it is empty."""
        return self.display_name.strip() or self.file_name


@dataclass(frozen=True, slots=True)
class JobList:
    """GetJobList: the jobs, and whether the server lets a client offer single jobs.

    ``visible`` is True only when the server sent ``X-FMP-Visible: 1``; otherwise a client
    must not offer selecting or deleting single unprinted jobs. ``skipped`` counts malformed
    lines that were left out.
    """

    jobs: tuple[Job, ...]
    visible: bool
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One progress token of a PrintJob stream: ``done`` of ``total`` pages, or percent."""

    done: int
    total: int | None
    unit: ProgressUnit


@dataclass(frozen=True, slots=True)
class PrintResult:
    """The end of a PrintJob: the ``X-FMP-Return`` code, its texts and the process id."""

    code: int
    proc_id: int | None
    error_text: str = ""
    os_error: int | None = None
    os_error_text: str = ""

    @property
    def ok(self) -> bool:
        """Whether the job printed."""
        return self.code == 0

    @property
    def canceled(self) -> bool:
        """Whether CancelPrintJob stopped the job."""
        return self.code == 10
