"""One rule per input: a person's user ID, and the station URL's policy.

The config flow, the sub-entry flow and the services check what people type with these,
so a value one of them accepts the others accept too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from .tpfm import normalize_url


class InvalidUserIdError(ValueError):
    """A user ID the server cannot be asked with.

    A colon would end the ID in the Authorization header; a character that is not
    printable has no place in it either.

    ``key`` is the translation key that says why (services: ``exceptions``; flows map
    every user-ID error to ``invalid_user_id``).
    """

    key = "invalid_user_id"


class MissingUserIdError(InvalidUserIdError):
    """The text is empty (or only spaces)."""

    key = "missing_user"


class InvalidUrlError(ValueError):
    """Not an absolute http(s) URL with a host, or one with credentials in it."""


class InsecureUrlError(InvalidUrlError):
    """Plain http:// to a host that is not on loopback or a private network."""


def clean_user_id(value: object) -> str:
    """Return the user ID without surrounding spaces.

    Raises:
        MissingUserIdError: empty.
        InvalidUserIdError: a colon or a non-printable character.

    """
    user_id = "" if value is None else str(value).strip()
    if not user_id:
        raise MissingUserIdError
    if ":" in user_id or not user_id.isprintable():
        raise InvalidUserIdError
    return user_id


async def host_is_private(host: str) -> bool:
    """Return whether a host is on loopback or a private network (so http is acceptable).

    A name is looked up; it counts as private only if every address it has is.
    """
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError:
            return False
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return bool(addresses) and all(
        not addr.is_global or addr.is_loopback or addr.is_private for addr in addresses
    )


async def async_clean_station_url(raw: str) -> str:
    """Return the station's normalized URL (see ``tpfm.normalize_url``) if the policy allows it.

    Raises:
        InvalidUrlError: not an absolute http(s) URL, or credentials in it.
        InsecureUrlError: http:// to a host that is not loopback or private (the
            password would cross the internet in clear).

    """
    try:
        url = normalize_url(raw)
    except ValueError as err:
        raise InvalidUrlError(str(err)) from err
    if url.user is not None or url.password is not None:
        # Credentials go in the password field: in the URL they would be stored and
        # shown in clear, and the client sends its own Authorization header.
        raise InvalidUrlError("credentials in the URL")
    if url.scheme == "http" and not await host_is_private(url.host or ""):
        raise InsecureUrlError("http to a public host")
    return str(url)
