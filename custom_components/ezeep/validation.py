"""The rule for a user ID given in a service call (one place; no Home Assistant import)."""

from __future__ import annotations


class InvalidUserIdError(ValueError):
    """The text is no user ID: it holds a colon or a control character."""


class MissingUserIdError(InvalidUserIdError):
    """The text is empty (or only spaces)."""


def clean_user_id(value: object) -> str:
    """Return the user ID without surrounding spaces.

    Raises:
        MissingUserIdError: nothing but spaces.
        InvalidUserIdError: a colon (the server's list separator) or a control character.

    """
    user_id = str(value).strip()
    if not user_id:
        raise MissingUserIdError
    if ":" in user_id or not user_id.isprintable():
        raise InvalidUserIdError
    return user_id
