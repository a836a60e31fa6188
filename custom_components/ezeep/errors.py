"""The integration's errors and how each is reported (one seam per direction).

Contract shared by the release code and the printer guard: a release refused before
anything was sent to the server raises :class:`ReleaseRefusedError` with its event
``code``; the release manager fires ``ezeep_print_error`` with that code and
``error`` text, and the service or button shows the translated message.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN


class ReleaseRefusedError(HomeAssistantError):
    """A release was refused before anything was sent to the server."""

    def __init__(
        self,
        code: str,
        *,
        translation_key: str,
        error: str | None = None,
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        """Refuse with an event ``code``, a translation key and the event's ``error`` text."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders=dict(placeholders) if placeholders else None,
        )
        self.code = code
        self.error = error if error is not None else code.replace("_", " ")
