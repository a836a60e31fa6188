"""ezeep.print_all and ezeep.cancel against the simulator, with their events."""

from __future__ import annotations

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

from custom_components.ezeep.const import DOMAIN
from tests.conftest import USER_1, USER_2, make_jobs, print_all, subentry_id_of
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
        ({"user_id": USER_1, "device_id": "x"}, "user_and_device"),
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
