"""ezeep.print_all and ezeep.cancel against the simulator, with their events."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.ezeep.const import CONF_CARD_FORMAT, CONF_COOLDOWN, DOMAIN
from tests.conftest import (
    USER_1,
    USER_2,
    logged,
    make_jobs,
    print_all,
    settle,
    subentry_id_of,
)
from tests.simulator import Simulator


async def test_print_all_options_reach_the_server(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """printer_id, copies and delete are sent as given; string numbers are accepted."""
    await print_all(
        hass,
        user_id=USER_2,
        printer_id="printer-7",
        copies="3",
        delete=False,
        wait=True,
    )
    record = simulator.prints[0]
    assert (record.printer, record.copies, record.delete) == ("printer-7", 3, False)
    assert len(simulator.jobs_of(USER_2)) == 1  # kept: delete=False


async def test_print_all_by_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person's device stands for their ID."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id_of(init_integration, USER_2)), init_integration.entry_id
    )
    assert device is not None
    response = await print_all(hass, device_id=device.id, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert [p.user_id for p in simulator.prints] == [USER_2]


async def test_print_all_unconfigured_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card the station has no sub-entry for still releases that person's jobs."""
    simulator.add_user("test-card-0042", make_jobs("visitor", 1))
    response = await print_all(hass, user_id=" test-card-0042 ", wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert simulator.prints[0].user_id == "test-card-0042"


async def test_configured_unknown_user_is_not_asked_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A configured person the server forgot: one printout, then refused without asking."""
    del simulator.users[USER_2]
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=USER_2)
    init_integration.runtime_data.releases.admission.cooldown = 0
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_2)
    assert err.value.translation_key == "user_not_registered"
    await init_integration.runtime_data.coordinator.async_refresh()
    assert simulator.registration_printouts[USER_2] == 1
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == "unavailable"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "missing_user"),
        ({"user_id": "  "}, "missing_user"),
        ({"user_id": "a:b"}, "invalid_user_id"),
        ({"user_id": USER_1, "device_id": "x"}, "several_targets"),
        ({"device_id": "not-a-device"}, "unknown_device"),
        ({"user_id": USER_1, "copies": 0}, "invalid_copies"),
        ({"user_id": USER_1, "copies": 100}, "invalid_copies"),
        ({"user_id": USER_1, "copies": "two"}, "invalid_copies"),
        ({"user_id": USER_1, "copies": 1.5}, "invalid_copies"),
        ({"user_id": USER_1, "copies": True}, "invalid_copies"),
        ({"user_id": USER_1, "delete": "maybe"}, "invalid_field"),
        ({"user_id": USER_1, "unknown": 1}, "invalid_field"),
        ({"user_id": USER_1, "config_entry_id": "nope"}, "invalid_config_entry"),
    ],
)
async def test_print_all_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input: a translated validation error, and nothing sent to the server."""
    simulator.reset_log()
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, **data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert simulator.requests == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "missing_cancel_target"),
        ({"user_id": USER_1, "proc_id": 5}, "user_and_proc_id"),
        ({"proc_id": "x"}, "invalid_field"),
        ({"proc_id": -1}, "invalid_field"),
    ],
)
async def test_cancel_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Cancel validates its input too."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "cancel", data, blocking=True)
    assert err.value.translation_key == key


async def test_config_entry_of_another_integration(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A config_entry_id of another integration is refused."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1, config_entry_id=other.entry_id)
    assert err.value.translation_key == "invalid_config_entry"


async def test_several_stations_need_a_config_entry_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With two loaded stations the call must name one; then it works."""
    second = MockConfigEntry(
        domain=DOMAIN, data=dict(init_integration.data), title="second"
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_2)
    assert err.value.translation_key == "config_entry_required"
    response = await print_all(
        hass, user_id=USER_2, config_entry_id=init_integration.entry_id, wait=True
    )
    assert response["jobs"][0]["result"] == "completed"


async def test_no_station_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With the station unloaded the services say so."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "no_station"
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1, config_entry_id=init_integration.entry_id)
    assert err.value.translation_key == "entry_not_loaded"


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("get_jobs", {}),
        ("print_all", {}),
        ("print_job", {"job": "report-1.tpf"}),
        ("delete_job", {"job": "report-1.tpf"}),
        ("hold_job", {"job": "report-1.tpf", "hold": True}),
        ("cancel", {}),
    ],
)
async def test_actions_by_id_are_for_admins(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
    service: str,
    data: dict[str, Any],
) -> None:
    """A non-admin user cannot act on a person's jobs by ID: refused, nothing sent."""
    simulator.reset_log()
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            service,
            {"user_id": USER_1, **data},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
            return_response=service == "get_jobs",
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.requests == []
    assert len(simulator.jobs_of(USER_1)) == 2
    if service == "get_jobs":  # an admin (and an automation, no user) still may
        for context in (Context(user_id=hass_admin_user.id), Context()):
            response = await hass.services.async_call(
                DOMAIN,
                service,
                {"user_id": USER_1},
                blocking=True,
                context=context,
                return_response=True,
            )
            assert len(response["jobs"]) == 2


# -- tag_id: a reader's raw value, converted with the station's card format -------------

#: An ESPHome reader's UID, and the ID the server knows for it (ESPHome UID -> decimal).
SCANNED, CARD_ID = "74-10-37-94", "1947219860"


async def set_card_format(
    hass: HomeAssistant, entry: MockConfigEntry, fmt: str
) -> None:
    """Store a card format in the station's options (it reloads); no cooldown."""
    hass.config_entries.async_update_entry(
        entry, options={CONF_CARD_FORMAT: fmt, CONF_COOLDOWN: 0}
    )
    await settle(hass)


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call an ezeep service, with its response where it has one."""
    response = service in ("get_jobs", "print_job", "print_all")
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def test_tag_id_is_converted_for_every_action(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every action sends the ID the station's format makes of tag_id, and logs neither."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    simulator.visible = "1"
    simulator.add_user(CARD_ID, make_jobs("badge", 4))
    await set_card_format(hass, init_integration, "esphome_decimal")
    simulator.reset_log()
    queue = await call(hass, "get_jobs", tag_id=SCANNED)
    assert [job["job"] for job in queue["jobs"]] == [
        f"badge-{n}.tpf" for n in range(1, 5)
    ]
    await call(hass, "hold_job", tag_id=SCANNED, job="badge-4.tpf", hold=True)
    await call(hass, "delete_job", tag_id=SCANNED, job="badge-3.tpf")
    await call(hass, "print_job", tag_id=SCANNED, job="badge-2.tpf", wait=True)
    await call(hass, "cancel", tag_id=SCANNED)
    response = await call(hass, "print_all", tag_id=f" {SCANNED}\n", wait=True)
    assert [job["job"] for job in response["jobs"]] == ["badge-1.tpf"]
    assert [p.file_name for p in simulator.prints] == ["badge-2.tpf", "badge-1.tpf"]
    assert {r.user for r in simulator.requests if r.user} == {CARD_ID}
    assert [job.file_name for job in simulator.jobs_of(CARD_ID)] == ["badge-4.tpf"]
    assert not logged(caplog, SCANNED, CARD_ID)


async def test_user_id_and_device_id_are_not_converted(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """user_id goes as given and a device stands for its stored ID, whatever the format."""
    await set_card_format(hass, init_integration, "esphome_decimal")
    await print_all(hass, user_id=USER_1, wait=True)  # not hex: converting would refuse
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id_of(init_integration, USER_2)), init_integration.entry_id
    )
    assert device is not None
    await print_all(hass, device_id=device.id, wait=True)
    assert [p.user_id for p in simulator.prints] == [USER_1, USER_1, USER_2]


@pytest.mark.parametrize(
    ("service", "extra"),
    [
        ("print_all", {}),
        ("get_jobs", {}),
        ("print_job", {"job": "badge-1.tpf"}),
        ("delete_job", {"job": "badge-1.tpf"}),
        ("hold_job", {"job": "badge-1.tpf", "hold": True}),
        ("cancel", {}),
    ],
)
async def test_unconvertible_tag_id_sends_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    *,
    service: str,
    extra: dict[str, Any],
) -> None:
    """A value the format cannot convert is refused, translated; the server hears nothing."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    await set_card_format(hass, init_integration, "esphome_decimal")
    simulator.reset_log()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, tag_id="test-card-0042", **extra)
    assert err.value.translation_key == "card_not_convertible"
    assert err.value.translation_placeholders == {"step": "hex_to_dec"}
    assert simulator.requests == []
    assert dict(simulator.registration_printouts) == {}
    assert not logged(caplog, "test-card-0042")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"tag_id": SCANNED, "user_id": USER_1}, "several_targets"),
        ({"tag_id": SCANNED, "device_id": "x"}, "several_targets"),
        ({"tag_id": " \r\n"}, "missing_user"),
        ({"tag_id": "74:10"}, "invalid_user_id"),  # as read, and a colon
    ],
)
async def test_tag_id_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    key: str,
) -> None:
    """One target only; an empty value or an ID the protocol cannot carry is refused."""
    simulator.reset_log()
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, **data)
    assert err.value.translation_key == key
    assert simulator.requests == []


async def test_tag_id_of_a_wiegand_reader(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A number from a template (ESPHome wiegand on_tag) becomes the card number."""
    simulator.add_user("45678", make_jobs("gate", 1))
    await set_card_format(hass, init_integration, "wiegand26_card_number")
    response = await print_all(hass, tag_id=8106606, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert simulator.prints[0].user_id == "45678"
