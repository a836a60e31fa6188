"""Safety under faults, bad input and load: nothing printed twice, no paper burned."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from homeassistant.components.diagnostics import REDACTED
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from hypothesis import given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ezeep.const import (
    CONF_PASSWORD,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RELEASE_UNREACHABLE,
    CONF_URL,
    CONF_VERIFY_SSL,
    DOMAIN,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
    POLL_CONCURRENCY,
)
from custom_components.ezeep.coordinator.jobs import UserJobs
from custom_components.ezeep.release import ReleaseState
from custom_components.ezeep.sensor import SENSORS
from custom_components.ezeep.tpfm import ProgressUnit
from custom_components.ezeep.tpfm.parsing import (
    decode_text,
    parse_job_list,
    parse_progress_token,
    parse_progress_type,
)
from tests.conftest import (
    PASSWORD,
    UNKNOWN_USER,
    USER_1,
    USER_2,
    make_jobs,
    print_all,
    station_data,
    user_subentry,
)
from tests.simulator import Simulator
from tests.simulator.printer import PrinterSimulator


async def test_stalled_person_blocks_nobody_else(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One person's requests stall: the others are polled and released meanwhile."""
    runtime = init_integration.runtime_data
    runtime.client._request_timeout = 0.5
    simulator.stall_user(USER_1, 2.0)
    refresh = hass.async_create_task(runtime.coordinator.async_refresh())
    response = await asyncio.wait_for(print_all(hass, user_id=USER_2, wait=True), 1.5)
    assert response["jobs"][0]["result"] == "completed"
    await refresh
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.alice_pending_jobs").state == "unavailable"
    assert hass.states.get("sensor.bob_pending_jobs").state == "0"
    simulator.clear_faults()
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_reauth_then_everything_works(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """401 mid-use: one reauth flow, releases refused until fixed, then fine without restart."""
    simulator._password = "new-sim-password"
    for _ in range(3):
        with pytest.raises(HomeAssistantError) as err:
            await print_all(hass, user_id=USER_1)
        assert err.value.translation_key == "auth_failed"
        init_integration.runtime_data.releases.cooldown = 0
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: " new-sim-password "}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert init_integration.data[CONF_PASSWORD] == "new-sim-password"
    # The failed attempts started cooldowns, and those outlive the reload.
    init_integration.runtime_data.releases.cooldown = 0
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed", "completed"]


async def test_cancel_racing_with_the_end(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A cancel just as the job ends: no error, the job printed once, nothing resent."""
    simulator.users[USER_2].jobs[0].steps = 1
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    done = asyncio.Event()

    @callback
    def on_progress(event: Any) -> None:
        if event.data["status"] == "printing":
            hass.async_create_task(
                hass.services.async_call(
                    DOMAIN, "cancel", {"user_id": USER_2}, blocking=True
                )
            )
        if event.data["status"] in ("completed", "canceled"):
            done.set()

    hass.bus.async_listen(EVENT_PRINT_PROGRESS, on_progress)
    await print_all(hass, user_id=USER_2)
    await asyncio.wait_for(done.wait(), 5)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.prints) == 1
    assert simulator.prints[0].result in (0, 10)
    assert simulator.counts["CancelPrintJob"] <= 1
    assert not errors


async def test_looping_script_releases_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """print_all in a repeat of 100: each job once; the rest refused with error events."""
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "loop": {
                    "sequence": [
                        {
                            "repeat": {
                                "count": 100,
                                "sequence": [
                                    {
                                        "action": "ezeep.print_all",
                                        "data": {"user_id": USER_1},
                                        "continue_on_error": True,
                                    }
                                ],
                            }
                        }
                    ]
                }
            }
        },
    )
    await hass.services.async_call("script", "loop", blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf", "report-2.tpf"]
    assert len(errors) == 99
    assert {e.data["code"] for e in errors} <= {"already_releasing", "cooldown"}


async def test_tag_scanned_ten_times_a_second(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card held on the reader: ten scans a second release the person's jobs once."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [{"trigger": "event", "event_type": "tag_scanned"}],
                "actions": [
                    {
                        "action": "ezeep.print_all",
                        "data": {"user_id": "{{ trigger.event.data.tag_id }}"},
                    }
                ],
                "mode": "parallel",
            }
        },
    )
    for _ in range(10):
        hass.bus.async_fire("tag_scanned", {"tag_id": USER_1})
        await asyncio.sleep(0.1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf", "report-2.tpf"]
    assert simulator.counts["GetJobList"] >= 1


async def test_unknown_card_scanned_repeatedly(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown card scanned again and again: one registration sheet per cooldown."""
    releases = init_integration.runtime_data.releases
    for _ in range(10):
        with pytest.raises(HomeAssistantError):
            await print_all(hass, user_id=UNKNOWN_USER)
    assert simulator.registration_printouts[UNKNOWN_USER] == 1
    releases.cooldown = 0  # the window ran out: the next scan may ask once more
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=UNKNOWN_USER)
    assert simulator.registration_printouts[UNKNOWN_USER] == 2


async def test_200_people_polled_with_latency(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """200 people at 20 ms latency: all correct, one refresh well within 15 s, few sockets."""
    simulator.latency = 0.02
    people = [f"test-load-{n:03d}" for n in range(200)]
    for n, user_id in enumerate(people):
        simulator.add_user(user_id, make_jobs(user_id, n % 4))
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        subentries_data=[
            user_subentry(uid, f"Load {n:03d}") for n, uid in enumerate(people)
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    simulator.reset_log()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await entry.runtime_data.coordinator.async_refresh()
    elapsed = loop.time() - started
    await hass.async_block_till_done()
    for n in range(200):
        assert hass.states.get(f"sensor.load_{n:03d}_pending_jobs").state == str(n % 4)
    assert elapsed < 15
    assert simulator.max_in_flight <= 2 * POLL_CONCURRENCY
    assert simulator.connections_opened <= 2 * POLL_CONCURRENCY


async def test_50_people_released_at_once(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """50 releases started together: every job once, in order per person, events complete."""
    people = [f"test-rush-{n:02d}" for n in range(50)]
    for user_id in people:
        simulator.add_user(user_id, make_jobs(user_id, 2, step_delay=0.01))
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        options={"rate_limit": 60},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    responses = await asyncio.gather(
        *(print_all(hass, user_id=user_id, wait=True) for user_id in people)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all(
        [job["result"] for job in response["jobs"]] == ["completed", "completed"]
        for response in responses
    )
    assert len(simulator.prints) == 100
    for user_id in people:
        assert [p.file_name for p in simulator.prints if p.user_id == user_id] == [
            f"{user_id}-1.tpf",
            f"{user_id}-2.tpf",
        ]
        assert simulator.jobs_of(user_id) == []
    statuses = [e.data["status"] for e in progress]
    assert statuses.count("started") == 100
    assert statuses.count("completed") == 100
    assert statuses.count("printing") == 300
    assert not errors


@pytest.fixture
def mock_recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """Prepare the recorder's database before Home Assistant, for tests that record."""
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("async_test_recorder")


async def test_no_secret_in_logs_or_diagnostics(  # noqa: PLR0917 - fixtures
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Flows, services and faults with debug logging: no password or user ID in the log.

    Nor in the diagnostics, the logbook or any entity's state: with a printer readiness
    source (a refusal, then releases), the logbook and the event entities running.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    caplog.set_level(logging.INFO)
    # The recorder's SQL echo (event data is stored as fired, user_id included) is not ours.
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    assert await async_setup_component(hass, "logbook", {})
    # A printer readiness source (LEDM): the options change reloads the station.
    printer_sim.events = False
    hass.config_entries.async_update_entry(
        init_integration,
        options={
            CONF_PRINTER_SOURCE: "ledm",
            CONF_PRINTER_URL: printer_sim.url,
            CONF_PRINTER_VERIFY_SSL: False,
            CONF_RELEASE_UNREACHABLE: False,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    printer = init_integration.runtime_data.printer
    assert printer is not None
    printer_sim.set_scenario("jammed")
    await printer.async_refresh()
    with pytest.raises(HomeAssistantError) as refused:
        await print_all(hass, user_id=USER_1)
    assert refused.value.translation_key == "printer_not_ready"
    printer_sim.set_scenario("ready")
    releases = init_integration.runtime_data.releases
    coordinator = init_integration.runtime_data.coordinator
    # Releases: success, failure, cut stream, cancel, refusals.
    simulator.users[USER_1].jobs[0].fail_code = 1
    await print_all(hass, user_id=USER_1, wait=True)
    releases.cooldown = 0
    simulator.cut_stream(1)
    await print_all(hass, user_id=USER_2, wait=True)
    simulator.clear_faults()
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=UNKNOWN_USER)
    with pytest.raises(ServiceValidationError):
        await print_all(hass, user_id=USER_1, copies=0)
    # Poll faults, and a configured person the server forgot.
    for fault in ("http_error", "garbage", "malformed_job_line"):
        getattr(simulator, fault)("GetJobList") if fault != "malformed_job_line" else (
            simulator.malformed_job_line(f"{USER_1}:{PASSWORD}:x")
        )
        await coordinator.async_refresh()
        simulator.clear_faults()
    del simulator.users[USER_2]
    await coordinator.async_refresh()
    # Config flow with an unknown ID and a wrong password.
    for password in (PASSWORD, "wrong-password"):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": "user"}
        )
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_URL: simulator.url,
                CONF_PASSWORD: password,
                "user_id": UNKNOWN_USER,
                CONF_VERIFY_SSL: True,
            },
        )
    # Password refused mid-use.
    simulator._password = "rotated-password"
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": "2000-01-01T00:00:00+00:00"}
    )
    logbook = (await client.receive_json())["result"]
    assert any(entry.get("domain") == DOMAIN for entry in logbook)
    assert "printer" in diagnostics
    assert hass.states.get("event.alice_release").state != "unknown"
    assert hass.states.get("sensor.printer_status").state == "ready"
    states = repr([state.as_dict() for state in hass.states.async_all()])

    dump = json.dumps(diagnostics)
    for secret in (PASSWORD, USER_1, USER_2, UNKNOWN_USER):
        assert secret not in caplog.text, secret
        assert secret not in dump, secret
        assert secret not in repr(logbook), secret
        assert secret not in states, secret
    assert diagnostics["entry"]["data"][CONF_PASSWORD] == REDACTED
    assert any(r.name.startswith("custom_components.ezeep") for r in caplog.records)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.text(
                st.characters(exclude_characters=":\r\n", exclude_categories=("Cs",)),
                max_size=20,
            ),
            st.integers(-5, 2**40),
            st.integers(-(2**40), 2**40),
            _TEXT,
            _TEXT,
        ),
        max_size=30,
    ),
    junk=st.lists(_TEXT, max_size=5),
    visible=st.one_of(st.none(), _TEXT),
)
def test_generated_job_lists_reach_the_sensor(
    lines: list[tuple[str, int, int, str, str]], junk: list[str], visible: str | None
) -> None:
    """Any job list the server may send gives a sensor state and JSON-able attributes."""
    body = (
        "[Jobs]\r\n"
        + "".join(
            f'{name}:{size}:{created}:{created}:0:0:"{display}":"{driver}"\r\n'
            for name, size, created, display, driver in lines
        )
        + "".join(f"{j}\n" for j in junk)
    )
    job_list = parse_job_list(body, visible=visible == "1")
    jobs = UserJobs(jobs=job_list.jobs, visible=job_list.visible)
    state = ReleaseState()
    for description in SENSORS:
        value = description.value_fn(jobs, state)
        json.dumps(description.attributes_fn(jobs, state))
        assert value is None or isinstance(value, int | str)
    assert jobs.pending == len(job_list.jobs)


@settings(max_examples=200, deadline=None)
@given(token=_TEXT, kind=st.one_of(st.none(), _TEXT), text=_TEXT)
def test_generated_progress_and_texts(token: str, kind: str | None, text: str) -> None:
    """Progress tokens, progress types and base64 texts never break the release state."""
    unit = parse_progress_type(kind)
    event = parse_progress_token(token, unit)
    state = ReleaseState(running=True)
    if event is not None:
        state.done, state.total, state.unit = event.done, event.total, event.unit
        percent = state.percent
        assert percent is None or 0 <= percent <= 100
        assert state.unit in (ProgressUnit.PAGES, ProgressUnit.PERCENT)
    assert isinstance(decode_text(text), str)


async def test_cooldown_survives_a_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A reload (new options, a reauth) does not reset the cooldown: no second release."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    await print_all(hass, user_id=USER_1)
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "release_cooldown"
    assert simulator.counts["PrintJob"] == 1
