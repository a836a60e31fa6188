"""quality_scale.yaml lists every rule of the Integration Quality Scale, and its claims hold."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import yaml

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "ezeep"
SCALE = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text(encoding="utf-8"))
MANIFEST = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))

# Every rule of the scale, by tier, as hassfest knows them (HA 2026.10).
RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency",
        "docs-actions", "docs-conditions", "docs-high-level-description",
        "docs-installation-instructions", "docs-removal-instructions", "docs-triggers",
        "entity-event-setup", "entity-unique-id", "has-entity-name", "runtime-data",
        "test-before-configure", "test-before-setup", "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery-update-info", "discovery",
        "docs-data-update", "docs-examples", "docs-known-limitations",
        "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
        "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip
PLATFORMS = ("binary_sensor", "button", "event", "sensor")


def _status(rule: str) -> tuple[str, str | None]:
    value = SCALE["rules"][rule]
    if isinstance(value, str):
        return value, None
    return value["status"], value.get("comment")


def test_every_rule_is_listed_with_a_known_status() -> None:
    """No rule missing, none unknown; every rule done, or exempt with a reason."""
    expected = {rule for tier in RULES.values() for rule in tier}
    assert set(SCALE["rules"]) == expected
    for rule in expected:
        status, comment = _status(rule)
        assert status in {"done", "exempt"}, rule
        if status == "exempt":
            assert comment and comment.strip(), f"{rule}: exempt needs a reason"


def test_integration_owner_matches_codeowners() -> None:
    """Codeowners are GitHub users or @org/team, the same in CODEOWNERS."""
    owners = MANIFEST["codeowners"]
    assert owners
    assert all(re.fullmatch(r"@[\w-]+(/[\w-]+)?", owner) for owner in owners)
    lines = [
        line.split()
        for line in (ROOT / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == [["*", *owners]]


def test_parallel_updates_set_on_every_platform() -> None:
    """``parallel-updates``: every platform module sets PARALLEL_UPDATES."""
    for platform in PLATFORMS:
        tree = ast.parse((PACKAGE / f"{platform}.py").read_text(encoding="utf-8"))
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        assert "PARALLEL_UPDATES" in names, platform


def test_runtime_data_not_hass_data() -> None:
    """``runtime-data``: no module keeps an entry's objects in hass.data[DOMAIN]."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "hass.data[DOMAIN]" not in text, path
        assert "hass.data.setdefault(DOMAIN" not in text, path


def test_strict_typing_markers() -> None:
    """``strict-typing``: the bundled libraries are marked as typed."""
    assert (PACKAGE / "tpfm" / "py.typed").is_file()
    assert (PACKAGE / "printer" / "py.typed").is_file()
