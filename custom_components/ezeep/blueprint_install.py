"""Copy the blueprints shipped with the integration into the user's blueprint folder.

``blueprints/automation/*.yaml`` of the integration go to
``<config>/blueprints/automation/ezeep/``. A file that exists is never touched: the user
may have edited it (to get the shipped version back, delete the file and restart).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

#: The integration's own blueprints: ``<blueprint domain>/<file>.yaml``.
SOURCE: Final = Path(__file__).parent / "blueprints"


def install_blueprints(source: Path, target: Path) -> list[str]:
    """Copy each ``source/<domain>/<name>.yaml`` to ``target/<domain>/ezeep/<name>.yaml``.

    Returns the paths (relative to ``target``) of the files it wrote; files that exist
    are left alone, also one created by someone else in the meantime.
    """
    written: list[str] = []
    for blueprint in sorted(source.glob("*/*.yaml")):
        relative = Path(blueprint.parent.name, DOMAIN, blueprint.name)
        destination = target / relative
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = blueprint.read_text(encoding="utf-8")
        try:
            with destination.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        written.append(relative.as_posix())
    return written


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Install the shipped blueprints that are missing; a failure is logged, not raised."""
    target = Path(hass.config.path("blueprints"))
    try:
        written = await hass.async_add_executor_job(install_blueprints, SOURCE, target)
    except OSError as err:
        LOGGER.warning(
            "Could not install the ezeep blueprints into %s: %s", target, err
        )
        return
    if written:
        LOGGER.info("Installed the ezeep blueprints %s", ", ".join(written))
