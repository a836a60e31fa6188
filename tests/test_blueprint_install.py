"""Installing the shipped blueprints into the user's blueprint folder on setup."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.blueprint_install import (
    SOURCE,
    async_install_blueprints,
    install_blueprints,
)
from custom_components.ezeep.const import DOMAIN

SHIPPED = sorted(path.name for path in (SOURCE / "automation").glob("*.yaml"))


async def test_setup_installs_the_blueprints(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Setting up copies every shipped blueprint into blueprints/automation/ezeep/."""
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))

    def contents(folder: Path) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in folder.glob("*.yaml")}

    assert SHIPPED == [
        "arrival_prompt.yaml",
        "notify_on_error.yaml",
        "release_on_arrival.yaml",
        "release_on_tag.yaml",
    ]
    installed = await hass.async_add_executor_job(contents, target)
    assert installed == contents(SOURCE / "automation")


async def test_install_again_writes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With every blueprint in place, installing again writes and logs nothing."""
    caplog.set_level(logging.INFO)
    caplog.clear()
    await async_install_blueprints(hass)
    assert "ezeep blueprints" not in caplog.text


def test_install_never_overwrites(tmp_path: Path) -> None:
    """A user's copy stays as it is; missing ones are added; a second run writes nothing."""
    edited = tmp_path / "automation" / DOMAIN / "release_on_tag.yaml"
    edited.parent.mkdir(parents=True)
    edited.write_text("# my own version\n")
    written = install_blueprints(SOURCE, tmp_path)
    assert written == [
        f"automation/{DOMAIN}/{name}" for name in SHIPPED if name != edited.name
    ]
    assert edited.read_text() == "# my own version\n"
    assert install_blueprints(SOURCE, tmp_path) == []


def test_install_skips_a_file_created_meanwhile(tmp_path: Path) -> None:
    """A file that appears between the check and the write is not overwritten."""
    real_open = Path.open

    def racing_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "x" and self.name == "notify_on_error.yaml":
            self.write_text("# someone else's\n")
        return real_open(self, mode, *args, **kwargs)

    with patch.object(Path, "open", racing_open):
        written = install_blueprints(SOURCE, tmp_path)
    assert f"automation/{DOMAIN}/notify_on_error.yaml" not in written
    assert len(written) == len(SHIPPED) - 1
    target = tmp_path / "automation" / DOMAIN / "notify_on_error.yaml"
    assert target.read_text() == "# someone else's\n"


async def test_install_failure_does_not_stop_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A read-only configuration folder is logged; the station still loads."""
    caplog.set_level(logging.WARNING)
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.ezeep.blueprint_install.install_blueprints",
        side_effect=PermissionError("read-only"),
    ):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert "Could not install the ezeep blueprints" in caplog.text
    assert hass.states.get("sensor.alice_pending_jobs") is not None
