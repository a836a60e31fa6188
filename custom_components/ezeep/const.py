"""Constants of the ezeep pull-printing integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "ezeep"
LOGGER = logging.getLogger(__package__)

SUBENTRY_TYPE_USER: Final = "user"
#: A release panel: a Home Assistant user (the tablet's) and the readers bound to it.
SUBENTRY_TYPE_PANEL: Final = "panel"

# Config entry data (the station).
CONF_URL: Final = "url"
CONF_PASSWORD: Final = "password"  # noqa: S105 - a key, not a secret
CONF_PRINTER_ID: Final = "printer_id"
CONF_VERIFY_SSL: Final = "verify_ssl"
# Sub-entry data (a person).
CONF_USER_ID: Final = "user_id"
CONF_NAME: Final = "name"
#: The Home Assistant user who may use the person's to-do list besides administrators.
CONF_LIST_USER: Final = "list_user_id"
# Sub-entry data (a release panel).
CONF_PANEL_USER: Final = "ha_user_id"
CONF_READERS: Final = "reader_device_ids"
# Options.
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_COOLDOWN: Final = "cooldown"
CONF_RATE_LIMIT: Final = "rate_limit"
CONF_UNKNOWN_HOLD_OFF: Final = "unknown_id_hold_off"
CONF_SHEETS_PER_HOUR: Final = "registration_sheets_per_hour"
#: Checking an item of a person's to-do list off prints that job (todo.py).
CONF_RELEASE_FROM_TODO: Final = "release_from_todo"
DEFAULT_RELEASE_FROM_TODO: Final = True
# Options: printer readiness (see coordinator/printer.py).
CONF_PRINTER_SOURCE: Final = "printer_source"
CONF_PRINTER_URL: Final = "printer_url"
CONF_PRINTER_VERIFY_SSL: Final = "printer_verify_ssl"
CONF_PRINTER_ENTITY: Final = "printer_entity_id"
CONF_NOT_READY_STATES: Final = "printer_not_ready_states"
CONF_RELEASE_UNREACHABLE: Final = "release_when_unreachable"
SOURCE_NONE: Final = "none"
SOURCE_LEDM: Final = "ledm"
SOURCE_IPP: Final = "ipp"
SOURCE_ENTITY: Final = "entity"
PRINTER_SOURCES: Final = (SOURCE_NONE, SOURCE_LEDM, SOURCE_IPP, SOURCE_ENTITY)
# Options: the card format (card_format.py: a preset, or "custom" and its chain).
CONF_CARD_FORMAT: Final = "card_format"
CONF_CARD_FORMAT_STEPS: Final = "card_format_steps"

DEFAULT_SCAN_INTERVAL: Final = 60
MIN_SCAN_INTERVAL: Final = 15
MAX_SCAN_INTERVAL: Final = 3600
DEFAULT_COOLDOWN: Final = 10
MAX_COOLDOWN: Final = 3600
DEFAULT_RATE_LIMIT: Final = 30
MAX_RATE_LIMIT: Final = 600
RATE_WINDOW: Final = timedelta(minutes=1)
#: Minutes an ID the server did not know is not sent again (registration sheets).
DEFAULT_UNKNOWN_HOLD_OFF: Final = 5
MIN_UNKNOWN_HOLD_OFF: Final = 1
MAX_UNKNOWN_HOLD_OFF: Final = 60
#: Registration sheets a station may cause per SHEET_WINDOW.
DEFAULT_SHEETS_PER_HOUR: Final = 10
MAX_SHEETS_PER_HOUR: Final = 100
SHEET_WINDOW: Final = timedelta(hours=1)
#: Each source (a panel's user, a reader, automations) may cause this share of the
#: station's sheets: 1/3, at least one (3 of the default 10).
SOURCE_SHEET_SHARE: Final = 3
#: Hard caps of the hashed IDs a station remembers (held-off ones, known ones).
MAX_HELD_IDS: Final = 512
MAX_KNOWN_IDS: Final = 4096

#: How many people are polled at once. Each asks its job lists one after the other, so
#: this also bounds the requests in flight and the connections a poll opens. 16: 500
#: people with jobs (two asks each) in about 1.4 s when a request takes 20 ms.
POLL_CONCURRENCY: Final = 16
#: Every this many polls a person's whole list (held jobs too) is read even when nothing
#: hints at a change: a held job deleted elsewhere, or a job that arrived on hold, shows
#: at most this many polls late. The polls in between ask the releasable list alone.
FULL_LIST_EVERY: Final = 10
#: Jobs listed in the pending-jobs sensor's ``jobs`` attribute.
MAX_JOBS_ATTRIBUTE: Final = 25

# Service names and fields.
SERVICE_PRINT_ALL: Final = "print_all"
SERVICE_CANCEL: Final = "cancel"
SERVICE_GET_JOBS: Final = "get_jobs"
SERVICE_PRINT_JOB: Final = "print_job"
SERVICE_DELETE_JOB: Final = "delete_job"
SERVICE_HOLD_JOB: Final = "hold_job"
ATTR_JOB: Final = "job"
ATTR_HOLD: Final = "hold"
ATTR_USER_ID: Final = "user_id"
#: A reader's raw value, converted with the station's card format.
ATTR_TAG_ID: Final = "tag_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_PRINTER_ID: Final = "printer_id"
ATTR_COPIES: Final = "copies"
ATTR_DELETE: Final = "delete"
ATTR_WAIT: Final = "wait"
ATTR_FORCE: Final = "force"
ATTR_PROC_ID: Final = "proc_id"
MIN_COPIES: Final = 1
MAX_COPIES: Final = 99

# Bus events.
EVENT_PRINT_PROGRESS: Final = "ezeep_print_progress"
EVENT_PRINT_ERROR: Final = "ezeep_print_error"

# Release results; a job's last progress status is its result (completed, canceled).
RESULT_QUEUED: Final = "queued"
RESULT_COMPLETED: Final = "completed"
RESULT_FAILED: Final = "failed"
RESULT_CANCELED: Final = "canceled"
#: A job deleted with ezeep.delete_job (a status of ezeep_print_progress, an event type).
RESULT_DELETED: Final = "deleted"
STATUS_STARTED: Final = "started"
STATUS_PRINTING: Final = "printing"

# Error codes of ezeep_print_error that are not X-FMP-Return numbers.
ERROR_CONNECTION: Final = "connection_error"
ERROR_TIMEOUT: Final = "timeout"
ERROR_STREAM: Final = "stream_interrupted"
ERROR_AUTH: Final = "auth_failed"
ERROR_PROTOCOL: Final = "protocol_error"
ERROR_COOLDOWN: Final = "cooldown"
ERROR_BUSY: Final = "already_releasing"
ERROR_RATE_LIMITED: Final = "rate_limited"
ERROR_PRINTER_NOT_READY: Final = "printer_not_ready"
#: An unknown ID not sent again (hold-off) or the station's sheet limit.
ERROR_UNKNOWN_USER: Final = "unknown_user"


def signal_users_added(entry_id: str) -> str:
    """Dispatcher signal telling the platforms that user sub-entries were added."""
    return f"{DOMAIN}_users_added_{entry_id}"
