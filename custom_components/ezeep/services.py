"""The services: ``print_all``, ``cancel`` and the single-job actions.

``get_jobs``, ``print_job``, ``delete_job`` and ``hold_job`` only validate and resolve
their call here; the actions themselves are in :mod:`.jobs` (shared with a panel).
"""

from __future__ import annotations

from typing import Any, cast

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import (
    async_get_config_entry,
    async_register_admin_service,
)
import probatio as vol

from .card_reader import convert_tag
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_COPIES,
    ATTR_DELETE,
    ATTR_DEVICE_ID,
    ATTR_FORCE,
    ATTR_HOLD,
    ATTR_JOB,
    ATTR_PRINTER_ID,
    ATTR_PROC_ID,
    ATTR_TAG_ID,
    ATTR_USER_ID,
    ATTR_WAIT,
    DOMAIN,
    MAX_COPIES,
    MIN_COPIES,
    SERVICE_CANCEL,
    SERVICE_DELETE_JOB,
    SERVICE_GET_JOBS,
    SERVICE_HOLD_JOB,
    SERVICE_PRINT_ALL,
    SERVICE_PRINT_JOB,
)
from .data import EzeepConfigEntry
from .errors import translate_errors
from .jobs import (
    async_delete_job,
    async_get_jobs,
    async_hold_job,
    async_print_job,
    check_registered,
    station_printer,
)
from .validation import clean_user_id


def _copies(value: Any) -> int:
    """Accept whole numbers 1-99 (also as text, or a float without fraction)."""
    if isinstance(value, bool):
        raise vol.Invalid("copies must be a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not MIN_COPIES <= value <= MAX_COPIES:
        raise vol.Invalid("copies out of range")
    return value


def _proc_id(value: Any) -> int:
    if isinstance(value, bool):
        raise vol.Invalid("proc_id must be a number")
    number = vol.Coerce(int)(value)
    if number < 0:
        raise vol.Invalid("proc_id must not be negative")
    return number


def _job_names(value: Any) -> list[str]:
    """Accept a file name or a non-empty list of them (repeats dropped, order kept)."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise vol.Invalid("job must be a file name or a list of them")
    cleaned = [cv.string(name).strip() for name in names]
    if not all(cleaned):
        raise vol.Invalid("a job name is empty")
    return list(dict.fromkeys(cleaned))


def _job_name(value: Any) -> str:
    """Accept one file name."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("job must be a file name")
    return value.strip()


_TARGET = {
    vol.Optional(ATTR_USER_ID): cv.string,
    vol.Optional(ATTR_TAG_ID): cv.string,
    vol.Optional(ATTR_DEVICE_ID): cv.string,
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
}
_RELEASE = {
    vol.Optional(ATTR_PRINTER_ID): cv.string,
    vol.Optional(ATTR_COPIES, default=1): _copies,
    vol.Optional(ATTR_DELETE, default=True): cv.boolean,
    vol.Optional(ATTR_WAIT, default=False): cv.boolean,
    vol.Optional(ATTR_FORCE, default=False): cv.boolean,
}
PRINT_ALL_SCHEMA = vol.Schema({**_TARGET, **_RELEASE})
CANCEL_SCHEMA = vol.Schema({**_TARGET, vol.Optional(ATTR_PROC_ID): _proc_id})
GET_JOBS_SCHEMA = vol.Schema({**_TARGET, vol.Optional(ATTR_PRINTER_ID): cv.string})
PRINT_JOB_SCHEMA = vol.Schema(
    {**_TARGET, **_RELEASE, vol.Required(ATTR_JOB): _job_names}
)
DELETE_JOB_SCHEMA = vol.Schema({**_TARGET, vol.Required(ATTR_JOB): _job_name})
HOLD_JOB_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required(ATTR_JOB): _job_name,
        vol.Required(ATTR_HOLD): cv.boolean,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _validate(schema: vol.Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate service data ourselves: Home Assistant would log rejected data verbatim."""
    try:
        return cast("dict[str, Any]", schema(data))
    except vol.Invalid as err:
        field = str(err.path[0]) if err.path else "?"
        if field == ATTR_COPIES:
            raise _invalid(
                "invalid_copies", min=str(MIN_COPIES), max=str(MAX_COPIES)
            ) from None
        raise _invalid("invalid_field", field=field) from None


#: Home Assistant's errors of async_get_config_entry -> this integration's keys.
_ENTRY_ERRORS = {
    "service_config_entry_not_found": "invalid_config_entry",
    "service_config_entry_wrong_domain": "invalid_config_entry",
    "service_config_entry_not_loaded": "entry_not_loaded",
}


def _station(hass: HomeAssistant, config_entry_id: str | None) -> EzeepConfigEntry:
    if config_entry_id is not None:
        try:
            return cast(
                "EzeepConfigEntry",
                async_get_config_entry(hass, DOMAIN, config_entry_id),
            )
        except ServiceValidationError as err:
            # Keep this integration's messages (they name no entry id).
            title = (err.translation_placeholders or {}).get("entry_title", "")
            raise _invalid(
                _ENTRY_ERRORS[str(err.translation_key)], title=title
            ) from None
    # Loaded stations only: one that failed to set up does not get in the way.
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise _invalid("no_station")
    if len(loaded) > 1:
        raise _invalid("config_entry_required")
    return cast("EzeepConfigEntry", loaded[0])


def _resolve(
    hass: HomeAssistant, data: dict[str, Any]
) -> tuple[EzeepConfigEntry, str | None]:
    """Return the station and the person a call is about (None: none was given).

    At most one of ``user_id`` (taken as given), ``tag_id`` (a reader's raw value,
    converted with the station's card format) and ``device_id``.
    """
    user_id: str | None = data.get(ATTR_USER_ID)
    tag_id: str | None = data.get(ATTR_TAG_ID)
    device_id: str | None = data.get(ATTR_DEVICE_ID)
    config_entry_id: str | None = data.get(ATTR_CONFIG_ENTRY_ID) or None
    if [user_id, tag_id, device_id].count(None) < 2:
        raise _invalid("several_targets")
    if device_id is not None:
        return _device_person(hass, device_id, config_entry_id)
    entry = _station(hass, config_entry_id)
    if tag_id is not None:
        return entry, clean_user_id(convert_tag(entry, tag_id))
    return entry, None if user_id is None else clean_user_id(user_id)


def _device_person(
    hass: HomeAssistant, device_id: str, config_entry_id: str | None
) -> tuple[EzeepConfigEntry, str]:
    """Return the station and the stored ID of a configured person's device."""
    device = dr.async_get(hass).async_get(device_id)
    if device is not None and device.config_subentry_id is not None:
        entry = hass.config_entries.async_get_entry(device.config_entry_id)
        if (
            entry is not None
            and entry.domain == DOMAIN
            and device.config_subentry_id in entry.subentries
            and config_entry_id in (None, entry.entry_id)
        ):
            station = _station(hass, entry.entry_id)
            person = station.runtime_data.people.get(device.config_subentry_id)
            if person is not None:
                return station, person.user_id
    raise _invalid("unknown_device")


def _person(
    hass: HomeAssistant, schema: vol.Schema, call: ServiceCall
) -> tuple[dict[str, Any], EzeepConfigEntry, str]:
    """Validate a call about one person; return its data, station and user ID."""
    data = _validate(schema, dict(call.data))
    entry, user_id = _resolve(hass, data)
    if user_id is None:
        raise _invalid("missing_user")
    return data, entry, user_id


async def _async_print_all(call: ServiceCall) -> ServiceResponse:
    with translate_errors():
        data, entry, user_id = _person(call.hass, PRINT_ALL_SCHEMA, call)
        check_registered(entry, user_id)
        outcomes = await entry.runtime_data.releases.async_release(
            user_id,
            printer_id=station_printer(entry, data.get(ATTR_PRINTER_ID)),
            copies=data[ATTR_COPIES],
            delete=data[ATTR_DELETE],
            wait=data[ATTR_WAIT],
            force=data[ATTR_FORCE],
        )
        return {"jobs": [outcome.as_dict() for outcome in outcomes]}


async def _async_get_jobs(call: ServiceCall) -> ServiceResponse:
    with translate_errors():
        data, entry, user_id = _person(call.hass, GET_JOBS_SCHEMA, call)
        return await async_get_jobs(
            entry, user_id, printer_id=data.get(ATTR_PRINTER_ID)
        )


async def _async_print_job(call: ServiceCall) -> ServiceResponse:
    with translate_errors():
        data, entry, user_id = _person(call.hass, PRINT_JOB_SCHEMA, call)
        outcomes = await async_print_job(
            entry,
            user_id,
            data[ATTR_JOB],
            printer_id=data.get(ATTR_PRINTER_ID),
            copies=data[ATTR_COPIES],
            delete=data[ATTR_DELETE],
            wait=data[ATTR_WAIT],
            force=data[ATTR_FORCE],
        )
        return {"jobs": [outcome.as_dict() for outcome in outcomes]}


async def _async_delete_job(call: ServiceCall) -> None:
    with translate_errors():
        data, entry, user_id = _person(call.hass, DELETE_JOB_SCHEMA, call)
        await async_delete_job(entry, user_id, data[ATTR_JOB])


async def _async_hold_job(call: ServiceCall) -> None:
    with translate_errors():
        data, entry, user_id = _person(call.hass, HOLD_JOB_SCHEMA, call)
        await async_hold_job(entry, user_id, data[ATTR_JOB], data[ATTR_HOLD])


async def _async_cancel(call: ServiceCall) -> None:
    with translate_errors():
        data = _validate(CANCEL_SCHEMA, dict(call.data))
        proc_id: int | None = data.get(ATTR_PROC_ID)
        entry, user_id = _resolve(call.hass, data)
        if user_id is None and proc_id is None:
            raise _invalid("missing_cancel_target")
        if user_id is not None and proc_id is not None:
            raise _invalid("user_and_proc_id")
        releases = entry.runtime_data.releases
        if user_id is not None:
            await releases.async_cancel_user(user_id)
        else:
            assert proc_id is not None
            await releases.async_cancel_proc(proc_id)


#: Accepts any service data: the handlers validate it themselves (see _validate).
_PASS_THROUGH = vol.Schema({}, extra=vol.ALLOW_EXTRA)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services, for admins and automations only.

    They act on anyone's jobs by ID: a non-admin user's call is refused
    (``Unauthorized``) before the handler runs, so nothing is sent. Automations,
    scripts and blueprints run without a user and keep working. No real schema: the
    handlers validate (Home Assistant would log rejected data, IDs included).
    """
    for service, handler, response in (
        (SERVICE_PRINT_ALL, _async_print_all, SupportsResponse.OPTIONAL),
        (SERVICE_CANCEL, _async_cancel, SupportsResponse.NONE),
        (SERVICE_GET_JOBS, _async_get_jobs, SupportsResponse.ONLY),
        (SERVICE_PRINT_JOB, _async_print_job, SupportsResponse.OPTIONAL),
        (SERVICE_DELETE_JOB, _async_delete_job, SupportsResponse.NONE),
        (SERVICE_HOLD_JOB, _async_hold_job, SupportsResponse.NONE),
    ):
        async_register_admin_service(
            hass, DOMAIN, service, handler, _PASS_THROUGH, response
        )
