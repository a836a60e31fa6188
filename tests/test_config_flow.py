"""The config flow: station (user, reauth, reconfigure), people (sub-entries), options.

Every flow runs through Home Assistant's flow managers against the simulator.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PRINTER_ID,
    CONF_URL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
    SUBENTRY_TYPE_USER,
)
from custom_components.ezeep.tpfm import DEFAULT_URL, TpfmClient
from tests.conftest import (
    PASSWORD,
    TRANSLATIONS,
    UNKNOWN_USER,
    USER_1,
    USER_2,
    assert_errors,
    defaults,
    device_of,
    make_jobs,
    station_data,
    suggested,
    user_subentry,
)
from tests.simulator import Simulator

USER_3 = "test-user-3"
NEW_PASSWORD = "sim-password-2"
#: Stands for closed_port_url(), picked when the test runs rather than at collection.
CLOSED_PORT = "closed-port"


def station_input(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Input of the station form that succeeds against the simulator."""
    return {
        CONF_URL: sim.url,
        CONF_PASSWORD: PASSWORD,
        CONF_USER_ID: USER_1,
        CONF_NAME: "Alice",
        CONF_PRINTER_ID: "",
        CONF_VERIFY_SSL: True,
    } | overrides


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
async def other_simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """A second station server (another port) that knows the same people."""
    sim = Simulator(PASSWORD)
    sim.add_user(USER_1, make_jobs("other", 4))
    sim.add_user(USER_2)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def no_request() -> Any:
    """Fail the test if the flow sends any TPFM request."""
    with patch.object(
        TpfmClient, "_get", side_effect=AssertionError("no request expected")
    ) as get:
        yield get


async def start_user_flow(hass: HomeAssistant) -> FlowResult:
    """Open the station form."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


# -- user step ---------------------------------------------------------------------------


async def test_user_form_defaults(hass: HomeAssistant) -> None:
    """The form offers the ezeep cloud server and certificate checking."""
    result = await start_user_flow(hass)
    assert result["errors"] == {}
    assert defaults(result) == {CONF_URL: DEFAULT_URL, CONF_VERIFY_SSL: True}


async def test_user_creates_station_with_one_person(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A station entry with the normalized URL and exactly one person sub-entry."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        station_input(simulator, **{CONF_URL: simulator.url.rstrip("/")}),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "127.0.0.1"
    assert result["data"] == {
        CONF_URL: simulator.url,
        CONF_PASSWORD: PASSWORD,
        CONF_PRINTER_ID: "",
        CONF_VERIFY_SSL: True,
    }
    entry = result["result"]
    assert [
        (sub.subentry_type, sub.title, dict(sub.data))
        for sub in entry.subentries.values()
    ] == [(SUBENTRY_TYPE_USER, "Alice", {CONF_USER_ID: USER_1, CONF_NAME: "Alice"})]
    # The new station is set up and polls its person.
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_user_without_name_is_numbered(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Without a name, the person is "User 1": the ID names nothing."""
    result = await start_user_flow(hass)
    user_input = station_input(simulator)
    del user_input[CONF_NAME]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    (subentry,) = entry.subentries.values()
    assert subentry.title == "User 1"
    assert dict(subentry.data) == {CONF_USER_ID: USER_1, CONF_NAME: ""}
    device = device_of(hass, entry, subentry.subentry_id)
    assert device is not None
    assert device.name == "User 1"
    assert hass.states.get("sensor.user_1_pending_jobs").state == "2"
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        assert USER_1 not in entity.entity_id
        assert USER_1 not in (entity.unique_id or "")


async def test_user_strips_whitespace(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Spaces pasted around the URL, the ID, the password and the name are dropped."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        station_input(
            simulator,
            **{
                CONF_URL: f"  {simulator.url.rstrip('/')} ",
                CONF_PASSWORD: f" {PASSWORD}  ",
                CONF_USER_ID: f"  {USER_1}\t",
                CONF_NAME: " Alice ",
                CONF_PRINTER_ID: " printer-1 ",
            },
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_URL: simulator.url,
        CONF_PASSWORD: PASSWORD,
        CONF_PRINTER_ID: "printer-1",
        CONF_VERIFY_SSL: True,
    }
    (subentry,) = result["result"].subentries.values()
    assert subentry.title == "Alice"
    assert dict(subentry.data) == {CONF_USER_ID: USER_1, CONF_NAME: "Alice"}
    # The server saw the stripped ID and accepted the stripped password.
    checks = [r for r in simulator.requests if r.cmd == "GetJobList"]
    assert checks
    assert {r.user for r in checks} == {USER_1}
    assert all(r.authorized for r in checks)


@pytest.mark.parametrize(
    ("fault", "overrides", "expected"),
    [
        pytest.param(
            lambda sim: sim.http_error("GetVersion", 500),
            {},
            "cannot_connect",
            id="version_http_500",
        ),
        pytest.param(
            lambda sim: sim.http_error("GetJobList", 500),
            {},
            "cannot_connect",
            id="job_list_http_500",
        ),
        pytest.param(None, {CONF_URL: CLOSED_PORT}, "cannot_connect", id="closed_port"),
        pytest.param(
            lambda sim: sim.garbage("GetVersion"), {}, "not_tpfm", id="garbage_version"
        ),
        pytest.param(
            lambda sim: sim.garbage("GetJobList"),
            {},
            "not_tpfm",
            id="garbage_job_list",
        ),
        pytest.param(
            None, {CONF_PASSWORD: "wrong-password"}, "invalid_auth", id="wrong_password"
        ),
    ],
)
async def test_user_server_errors_then_success(
    hass: HomeAssistant,
    simulator: Simulator,
    fault: Callable[[Simulator], None] | None,
    overrides: dict[str, Any],
    expected: str,
) -> None:
    """A server-side failure shows an error; the corrected form then succeeds."""
    if fault is not None:
        fault(simulator)
    if overrides.get(CONF_URL) == CLOSED_PORT:
        overrides = {CONF_URL: closed_port_url()}
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], station_input(simulator, **overrides)
    )
    assert_errors(result, {"base": expected}, "config")
    assert not hass.config_entries.async_entries(DOMAIN)

    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], station_input(simulator)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == simulator.url
    assert result["data"][CONF_PASSWORD] == PASSWORD


async def test_user_unknown_user_prints_one_registration_code(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An ID the server does not know is asked for once (one printout), then fixed."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], station_input(simulator, **{CONF_USER_ID: UNKNOWN_USER})
    )
    assert_errors(result, {"base": "unknown_user"}, "config")
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}
    # The form keeps what was typed, so the person can correct the ID.
    assert suggested(result, CONF_USER_ID) == UNKNOWN_USER

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], station_input(simulator)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param(
            {CONF_URL: "pp2.ezeep.com"}, {CONF_URL: "invalid_url"}, id="no_scheme"
        ),
        pytest.param({CONF_URL: "ftp://x"}, {CONF_URL: "invalid_url"}, id="ftp"),
        pytest.param({CONF_URL: "https://"}, {CONF_URL: "invalid_url"}, id="no_host"),
        pytest.param(
            {CONF_URL: "https://station:secret@pp2.ezeep.com/"},
            {CONF_URL: "invalid_url"},
            id="credentials_in_url",
        ),
        pytest.param(
            {CONF_URL: "http://8.8.8.8/"},
            {CONF_URL: "insecure_url"},
            id="http_public_ip",
        ),
        pytest.param(
            {CONF_URL: "http://[2001:4860:4860::8888]:8080/"},
            {CONF_URL: "insecure_url"},
            id="http_public_ipv6",
        ),
        pytest.param(
            {CONF_USER_ID: "test:user"},
            {CONF_USER_ID: "invalid_user_id"},
            id="colon_in_id",
        ),
        pytest.param(
            {CONF_USER_ID: "   "}, {CONF_USER_ID: "invalid_user_id"}, id="blank_id"
        ),
        pytest.param(
            {CONF_USER_ID: "test\x00user"},
            {CONF_USER_ID: "invalid_user_id"},
            id="control_character_in_id",
        ),
        pytest.param(
            {CONF_PASSWORD: "  "}, {CONF_PASSWORD: "invalid_auth"}, id="blank_password"
        ),
    ],
)
async def test_user_input_errors_send_no_request(
    hass: HomeAssistant,
    simulator: Simulator,
    overrides: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Malformed input is refused before anything is sent, then corrected."""
    result = await start_user_flow(hass)
    with patch.object(
        TpfmClient, "_get", side_effect=AssertionError("no request expected")
    ) as get:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], station_input(simulator, **overrides)
        )
    assert get.call_count == 0
    assert_errors(result, errors, "config")
    assert not simulator.requests

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], station_input(simulator)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_password_not_echoed_after_error(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """After an error the form suggests what was typed, except the password."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        station_input(simulator, **{CONF_PASSWORD: "wrong-password"}),
    )
    assert_errors(result, {"base": "invalid_auth"}, "config")
    assert suggested(result, CONF_URL) == simulator.url
    assert suggested(result, CONF_USER_ID) == USER_1
    assert suggested(result, CONF_NAME) == "Alice"
    assert suggested(result, CONF_PASSWORD) is None
    assert "wrong-password" not in repr(result)


async def test_user_duplicate_station_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The same server with the same password is set up only once, without asking it."""
    simulator.reset_log()
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        station_input(
            simulator,
            **{CONF_URL: simulator.url.rstrip("/"), CONF_USER_ID: USER_2},
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert TRANSLATIONS["config"]["abort"]["already_configured"]
    assert not simulator.requests
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# -- reauth ----------------------------------------------------------------------------------


def reauth_flows(hass: HomeAssistant, entry: ConfigEntry) -> list[dict[str, Any]]:
    """The reauth flows in progress for an entry."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["handler"] == DOMAIN
        and flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]


async def test_reauth_after_password_change(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A refused password starts reauth; the new password reloads the station."""
    entry = init_integration
    simulator._password = NEW_PASSWORD
    coordinator = entry.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert hass.states.get("sensor.alice_pending_jobs").state == STATE_UNAVAILABLE
    (flow,) = reauth_flows(hass, entry)
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert_errors(result, {"base": "invalid_auth"}, "config")
    assert result["description_placeholders"]["title"] == entry.title
    assert entry.data[CONF_PASSWORD] == PASSWORD

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: f" {NEW_PASSWORD} "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert entry.data[CONF_URL] == simulator.url
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"
    assert not reauth_flows(hass, entry)


async def test_reauth_when_setup_refused(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A station whose setup failed on the password loads once reauth succeeds."""
    entry = mock_config_entry
    simulator._password = NEW_PASSWORD
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = reauth_flows(hass, entry)

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


@pytest.mark.parametrize(
    ("fault", "password", "expected"),
    [
        (None, "  ", "invalid_auth"),
        (lambda sim: sim.http_error("GetVersion", 500), NEW_PASSWORD, "cannot_connect"),
        (lambda sim: sim.garbage("GetJobList"), NEW_PASSWORD, "not_tpfm"),
    ],
    ids=["blank", "http_500", "garbage"],
)
async def test_reauth_errors(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    fault: Callable[[Simulator], None] | None,
    password: str,
    expected: str,
) -> None:
    """Reauth errors keep the old password; the right one then succeeds."""
    entry = init_integration
    simulator._password = NEW_PASSWORD
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    if fault is not None:
        fault(simulator)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: password}
    )
    assert_errors(result, {"base": expected}, "config")
    assert entry.data[CONF_PASSWORD] == PASSWORD

    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD


async def test_reauth_checks_with_a_known_person(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Reauth does not ask with an ID the server did not know (no more printouts)."""
    entry = init_integration
    del simulator.users[USER_1]
    await entry.runtime_data.coordinator.async_refresh()
    assert simulator.registration_printouts == {USER_1: 1}

    simulator._password = NEW_PASSWORD
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert simulator.registration_printouts == {USER_1: 1}


# -- reconfigure -----------------------------------------------------------------------------


async def test_reconfigure_printer_and_certificate_check(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A new default printer and certificate setting are stored and used after a reload."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested(result, CONF_URL) == simulator.url
    assert suggested(result, CONF_VERIFY_SSL) is True

    simulator.reset_log()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: f" {simulator.url.rstrip('/')} ",
            CONF_PRINTER_ID: " printer-7 ",
            CONF_VERIFY_SSL: False,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.data) == {
        CONF_URL: simulator.url,
        CONF_PASSWORD: PASSWORD,
        CONF_PRINTER_ID: "printer-7",
        CONF_VERIFY_SSL: False,
    }
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator
    polls = [
        r for r in simulator.requests if r.cmd == "GetJobList" and r.user == USER_2
    ]
    assert polls
    assert polls[-1].params.get("Printer") == "printer-7"


async def test_reconfigure_moves_to_another_server(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    other_simulator: Simulator,
) -> None:
    """A new URL is checked against the new server, then polled there."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: other_simulator.url, CONF_PRINTER_ID: "", CONF_VERIFY_SSL: True},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_URL] == other_simulator.url
    assert hass.states.get("sensor.alice_pending_jobs").state == "4"
    assert other_simulator.counts["GetVersion"] >= 1


@pytest.mark.parametrize(
    ("fault", "url", "errors"),
    [
        (
            lambda sim: sim.http_error("GetVersion", 500),
            None,
            {"base": "cannot_connect"},
        ),
        (None, CLOSED_PORT, {"base": "cannot_connect"}),
        (lambda sim: sim.garbage("GetVersion"), None, {"base": "not_tpfm"}),
        (None, "ftp://x", {CONF_URL: "invalid_url"}),
        (None, "pp2.ezeep.com", {CONF_URL: "invalid_url"}),
        (None, "http://8.8.8.8/", {CONF_URL: "insecure_url"}),
    ],
    ids=["http_500", "closed_port", "garbage", "ftp", "no_scheme", "http_public_ip"],
)
async def test_reconfigure_errors_then_success(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    fault: Callable[[Simulator], None] | None,
    url: str | None,
    errors: dict[str, str],
) -> None:
    """A bad URL or an unreachable server is refused and nothing changes."""
    entry = init_integration
    old_data = dict(entry.data)
    if url == CLOSED_PORT:
        url = closed_port_url()
    if fault is not None:
        fault(simulator)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: url or simulator.url, CONF_PRINTER_ID: "p", CONF_VERIFY_SSL: True},
    )
    assert_errors(result, errors, "config")
    assert dict(entry.data) == old_data

    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: simulator.url, CONF_PRINTER_ID: "p", CONF_VERIFY_SSL: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PRINTER_ID] == "p"


async def test_reconfigure_insecure_url_sends_no_request(
    hass: HomeAssistant, init_integration: MockConfigEntry, no_request: Any
) -> None:
    """http:// to a public address is refused before anything (the password) is sent."""
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: "http://8.8.8.8/", CONF_PRINTER_ID: "", CONF_VERIFY_SSL: True},
    )
    assert_errors(result, {CONF_URL: "insecure_url"}, "config")
    assert no_request.call_count == 0


async def test_reconfigure_to_another_configured_station_aborts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    other_simulator: Simulator,
) -> None:
    """Two entries cannot end up on the same server with the same password."""
    other = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(other_simulator.url),
        subentries_data=[user_subentry(USER_1, "Alice")],
    )
    other.add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: other_simulator.url, CONF_PRINTER_ID: "", CONF_VERIFY_SSL: True},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert init_integration.data[CONF_URL] != other_simulator.url


async def test_reconfigure_station_that_could_not_connect(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A station stuck retrying on a wrong URL loads at once with the corrected one."""
    entry = mock_config_entry
    wrong = closed_port_url()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_URL: wrong})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    result = await entry.start_reconfigure_flow(hass)
    assert suggested(result, CONF_URL) == wrong
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: simulator.url, CONF_PRINTER_ID: "", CONF_VERIFY_SSL: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


@pytest.mark.parametrize("flow", ["reauth", "reconfigure"])
async def test_station_flows_never_ask_with_an_unregistered_id(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    flow: str,
) -> None:
    """Everybody's ID is unknown to the server: reauth/reconfigure print no more sheets.

    The person has not acted (no repair confirmed, no ID changed): asking with their ID
    again would print another registration sheet.
    """
    entry = init_integration
    del simulator.users[USER_1], simulator.users[USER_2]
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert simulator.registration_printouts == {USER_1: 1, USER_2: 1}
    if flow == "reauth":
        result = await entry.start_reauth_flow(hass)
        user_input: dict[str, Any] = {CONF_PASSWORD: PASSWORD}
    else:
        result = await entry.start_reconfigure_flow(hass)
        user_input = {CONF_URL: simulator.url, CONF_VERIFY_SSL: True}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{flow}_successful"
    assert simulator.registration_printouts == {USER_1: 1, USER_2: 1}
