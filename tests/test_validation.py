"""The user-ID rule of the services."""

from __future__ import annotations

import pytest

from custom_components.ezeep.validation import (
    InvalidUserIdError,
    MissingUserIdError,
    clean_user_id,
)


def test_clean_user_id() -> None:
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
