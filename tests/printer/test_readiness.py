"""The common readiness model of the printer library."""

from __future__ import annotations

from custom_components.ezeep.printer import PrinterState, status_from_entity_state


def test_entity_state_mapping() -> None:
    """A missing entity is unreachable; states compare without case and blanks."""
    assert status_from_entity_state("sensor.x", None, []).state is (
        PrinterState.UNREACHABLE
    )
    assert status_from_entity_state("sensor.x", "Stopped", [" stopped ", ""]).state is (
        PrinterState.BLOCKED
    )
    assert status_from_entity_state("sensor.x", "idle", ["stopped"]).releasable
