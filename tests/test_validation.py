"""One rule per input: the user ID, and the station URL's policy beside its normalization."""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from unittest.mock import patch

import pytest

from custom_components.ezeep.validation import (
    InsecureUrlError,
    InvalidUrlError,
    InvalidUserIdError,
    MissingUserIdError,
    async_clean_station_url,
    clean_user_id,
    host_is_private,
)

# -- user ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("test-user-1", "test-user-1"),
        ("  test-user-1\t", "test-user-1"),
        ("card 0042", "card 0042"),
        (4711, "4711"),
    ],
)
def test_clean_user_id(value: object, expected: str) -> None:
    """Spaces around the ID are dropped; inner spaces stay; a number becomes text."""
    assert clean_user_id(value) == expected


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (None, "missing_user"),
        ("", "missing_user"),
        ("   ", "missing_user"),
        ("test:user", "invalid_user_id"),
        ("test\x00user", "invalid_user_id"),
        ("test\nuser", "invalid_user_id"),
    ],
)
def test_clean_user_id_refuses(value: object, key: str) -> None:
    """Empty, a colon (it would end the ID in the header) or a control character."""
    with pytest.raises(InvalidUserIdError) as err:
        clean_user_id(value)
    assert err.value.key == key


def test_clean_user_id_keeps_the_id() -> None:
    """Spaces around an ID are dropped; anything else is kept."""
    assert clean_user_id(" test-card-0042 ") == "test-card-0042"
    assert clean_user_id(42) == "42"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", MissingUserIdError),
        ("   ", MissingUserIdError),
        ("a:b", InvalidUserIdError),
        ("a\nb", InvalidUserIdError),
        ("a\x00b", InvalidUserIdError),
    ],
)
def test_bad_user_ids(value: str, error: type[Exception]) -> None:
    """Empty, a colon or a control character: refused, with its reason."""
    with pytest.raises(error):
        clean_user_id(value)
    assert issubclass(MissingUserIdError, InvalidUserIdError)


# -- station URL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://pp2.ezeep.com", "https://pp2.ezeep.com/"),
        ("  https://pp2.ezeep.com/tpfm/ ", "https://pp2.ezeep.com/tpfm/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://192.168.1.20/?x=1#top", "http://192.168.1.20/"),
        ("http://printer.localhost/", "http://printer.localhost/"),
    ],
)
async def test_station_url_normalized(raw: str, expected: str) -> None:
    """The URL gets its trailing slash and loses query and fragment."""
    assert await async_clean_station_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("pp2.ezeep.com", InvalidUrlError),
        ("ftp://x", InvalidUrlError),
        ("https://", InvalidUrlError),
        ("https://station:secret@pp2.ezeep.com/", InvalidUrlError),
        ("https://station@pp2.ezeep.com/", InvalidUrlError),
        ("http://8.8.8.8/", InsecureUrlError),
        ("http://[2001:4860:4860::8888]:8080/", InsecureUrlError),
    ],
)
async def test_station_url_policy(raw: str, error: type[Exception]) -> None:
    """No credentials in the URL; plain http only to loopback or private hosts."""
    with pytest.raises(error) as err:
        await async_clean_station_url(raw)
    assert type(err.value) is error
    assert "secret" not in str(err.value)


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("10.1.2.3", True),
        ("192.168.1.20", True),
        ("172.16.0.5", True),
        ("fd00::5", True),
        ("localhost", True),
        ("printer.localhost", True),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
    ],
)
async def test_host_is_private(host: str, private: bool) -> None:
    """Plain http:// is allowed for loopback and private addresses only."""
    assert await host_is_private(host) is private


def _resolving_to(*addresses: str) -> Any:
    """A stand-in for the event loop's name lookup that answers ``addresses``."""

    async def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))
            for address in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    ("addresses", "private"),
    [
        (("192.168.1.20",), True),
        (("10.0.0.7", "fd00::7"), True),
        (("192.168.1.20", "8.8.8.8"), False),
        (("8.8.8.8",), False),
        ((), False),
    ],
)
async def test_host_name_is_looked_up(
    addresses: tuple[str, ...], private: bool
) -> None:
    """A name counts as private only when every address it has is private."""
    loop = asyncio.get_running_loop()
    with patch.object(loop, "getaddrinfo", _resolving_to(*addresses)):
        assert await host_is_private("station.example") is private


async def test_host_name_that_does_not_resolve_is_not_private() -> None:
    """A name that cannot be looked up is not trusted with plain http."""
    loop = asyncio.get_running_loop()

    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with patch.object(loop, "getaddrinfo", fail):
        assert await host_is_private("station.invalid") is False
        with pytest.raises(InsecureUrlError):
            await async_clean_station_url("http://station.invalid/")
