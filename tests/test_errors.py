"""The one error table and the two seams built on it (services/buttons, coordinators)."""

from __future__ import annotations

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.errors import (
    ERRORS,
    ReleaseBusyError,
    ReleaseCooldownError,
    ReleaseRateLimitedError,
    ReleaseRefusedError,
    event_code,
    flow_error_key,
    is_per_job,
    translate_errors,
    update_errors,
)
from custom_components.ezeep.tpfm import (
    TpfmAuthError,
    TpfmConnectionError,
    TpfmError,
    TpfmHttpError,
    TpfmInvalidPrinterError,
    TpfmJobNotFoundError,
    TpfmParseError,
    TpfmServerOsError,
    TpfmStreamError,
    TpfmTimeoutError,
    TpfmUserNotAllowedError,
    error_for_code,
)
from custom_components.ezeep.validation import InvalidUserIdError, MissingUserIdError


@pytest.mark.parametrize(
    ("err", "code", "key", "flow_key"),
    [
        (TpfmUserNotAllowedError(), 3, "unknown_user", "unknown_user"),
        (TpfmServerOsError(), 1, "server_error", "cannot_connect"),
        (TpfmJobNotFoundError(), 5, "server_error", "cannot_connect"),
        (TpfmInvalidPrinterError(), 4, "server_error", "cannot_connect"),
        (error_for_code(42), 42, "server_error", "cannot_connect"),
        (TpfmAuthError(), "auth_failed", "auth_failed", "invalid_auth"),
        (TpfmStreamError(), "stream_interrupted", "cannot_connect", "cannot_connect"),
        (TpfmTimeoutError(), "timeout", "cannot_connect", "cannot_connect"),
        (TpfmParseError(), "protocol_error", "cannot_connect", "not_tpfm"),
        (TpfmHttpError(500), "connection_error", "cannot_connect", "cannot_connect"),
        (TpfmConnectionError(), "connection_error", "cannot_connect", "cannot_connect"),
    ],
)
def test_table(err: TpfmError, code: int | str, key: str, flow_key: str) -> None:
    """Each client error type has its event code, service key and flow key."""
    assert event_code(err) == code
    assert flow_error_key(err) == flow_key
    with pytest.raises(HomeAssistantError) as raised, translate_errors():
        raise err
    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == key
    assert raised.value.__cause__ is err


def test_subclasses_come_first() -> None:
    """No row is shadowed by an earlier row of a base class."""
    for index, row in enumerate(ERRORS):
        assert not any(issubclass(row.error, r.error) for r in ERRORS[:index])


def test_per_job_failures_are_the_classes_of_codes_1_and_5() -> None:
    """Only an OS error on the server and a vanished job let a release go on."""
    assert is_per_job(TpfmServerOsError())
    assert is_per_job(error_for_code(5))
    assert not is_per_job(error_for_code(4))
    assert not is_per_job(TpfmStreamError())


def test_service_error_placeholder() -> None:
    """The server's own text, else the error type, fills the message."""
    with pytest.raises(HomeAssistantError) as raised, translate_errors():
        raise TpfmInvalidPrinterError(error_text="Invalid printer was specified")
    assert raised.value.translation_placeholders == {
        "error": "Invalid printer was specified"
    }
    with pytest.raises(HomeAssistantError) as raised, translate_errors():
        raise TpfmTimeoutError
    assert raised.value.translation_placeholders == {"error": "TpfmTimeoutError"}


@pytest.mark.parametrize(
    ("err", "key"),
    [(MissingUserIdError(), "missing_user"), (InvalidUserIdError(), "invalid_user_id")],
)
def test_bad_user_id_is_a_validation_error(err: Exception, key: str) -> None:
    """A bad user ID is bad input: a ServiceValidationError."""
    with pytest.raises(ServiceValidationError) as raised, translate_errors():
        raise err
    assert raised.value.translation_key == key
    assert raised.value.translation_domain == DOMAIN


def test_home_assistant_errors_pass() -> None:
    """A refusal (already translated) and other errors pass unchanged."""
    refusal = ReleaseBusyError()
    with pytest.raises(ReleaseBusyError) as raised, translate_errors():
        raise refusal
    assert raised.value is refusal
    with pytest.raises(KeyError), translate_errors():
        raise KeyError("x")


@pytest.mark.parametrize(
    ("err", "code", "key", "placeholders"),
    [
        (ReleaseBusyError(), "already_releasing", "release_already_releasing", None),
        (ReleaseCooldownError(7), "cooldown", "release_cooldown", {"seconds": "7"}),
        (
            ReleaseRateLimitedError(30),
            "rate_limited",
            "release_rate_limited",
            {"limit": "30"},
        ),
    ],
)
def test_refusals(
    err: ReleaseRefusedError,
    code: str,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Refusals carry their event code, error text and translation."""
    assert event_code(err) == code
    assert err.error == code.replace("_", " ")
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    assert err.translation_placeholders == placeholders


def test_refusal_with_its_own_text() -> None:
    """A refusal of the printer guard gives its own event text."""
    err = ReleaseRefusedError(
        "printer_not_ready",
        translation_key="printer_not_ready",
        error="paper jam",
        placeholders={"reason": "paper jam"},
    )
    assert (event_code(err), err.error) == ("printer_not_ready", "paper jam")


def test_update_errors() -> None:
    """A refused password starts reauth; any other client error is a failed update."""
    with pytest.raises(ConfigEntryAuthFailed) as auth, update_errors():
        raise TpfmAuthError
    assert auth.value.translation_key == "auth_failed"
    for err in (TpfmConnectionError(), TpfmUserNotAllowedError(), TpfmParseError()):
        with pytest.raises(UpdateFailed) as failed, update_errors():
            raise err
        assert failed.value.translation_key == "cannot_connect"
    with update_errors():
        pass
    with (
        pytest.raises(ConfigEntryNotReady) as not_ready,
        update_errors(ConfigEntryNotReady),
    ):
        raise TpfmTimeoutError
    assert not_ready.value.translation_key == "cannot_connect"
