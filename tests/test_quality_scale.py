"""quality_scale.yaml lists every rule of the Integration Quality Scale, and its claims hold."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.helpers.typing import UNDEFINED
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


# -- cheap checks of the claims that can be read from the code -----------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
EN = json.loads((PACKAGE / "translations" / "en.json").read_text(encoding="utf-8"))


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / module).read_text(encoding="utf-8"))


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _called(node: ast.AST) -> set[str]:
    """Names of the functions and methods called anywhere inside ``node``."""
    names: set[str] = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def _entity_descriptions() -> list[Any]:
    """Every entity description of the platforms (one supply sensor per kind of label)."""
    from custom_components.ezeep import binary_sensor, button, event, sensor
    from custom_components.ezeep.printer import Supply

    def is_description(value: Any) -> bool:
        # By name: Home Assistant's descriptions are not all of one class at runtime.
        return type(value).__name__.endswith("EntityDescription")

    found = [
        value
        for module in (binary_sensor, button, event, sensor)
        for value in vars(module).values()
        if is_description(value)
    ]
    found += list(sensor.SENSORS)
    found += [sensor.supply_description(Supply(label)) for label in ("K", "Drum")]
    return found


def test_entity_category_and_disabled_by_default() -> None:
    """``entity-category``: only supply levels are diagnostic; nothing is disabled."""
    descriptions = _entity_descriptions()
    keys = {d.key for d in descriptions}
    assert {"pending_jobs", "release_progress", "last_result", "releasing"} <= keys
    assert {"release_all", "cancel_release", "release", "printer_status"} <= keys
    assert {"printer_problem", "supply_K", "supply_Drum"} <= keys
    for description in descriptions:
        expected = "diagnostic" if description.key.startswith("supply_") else None
        assert description.entity_category == expected, description.key
        assert description.entity_registry_enabled_default, description.key
    assert "entity_registry_enabled_default" not in "".join(
        path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")
    )


def test_entities_named_by_translation_without_icons() -> None:
    """``has-entity-name``, ``entity-translations``, ``icon-translations``."""
    for description in _entity_descriptions():
        assert description.translation_key, description.key
        assert description.name is UNDEFINED, description.key
        assert description.icon is None, description.key
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "_attr_icon" not in text, path
        assert "_attr_name " not in text, path
    bases = _tree("entity.py")
    for cls in (n for n in bases.body if isinstance(n, ast.ClassDef)):
        if cls.name.endswith("Entity"):
            assert "_attr_has_entity_name" in ast.unparse(cls), cls.name


def test_entity_event_setup() -> None:
    """``entity-event-setup``: entities subscribe in async_added_to_hass, undone on remove.

    Undone with ``async_on_remove``, or (``ReleaseStates.async_listen``) by
    ``async_unlisten`` in the class's ``async_will_remove_from_hass``.
    """
    subscribe = {"async_add_listener", "async_dispatcher_connect", "async_track_state_change_event", "async_listen"}  # fmt: skip
    checked = 0
    for module in ("entity.py", *(f"{p}.py" for p in PLATFORMS)):
        for cls in (n for n in _tree(module).body if isinstance(n, ast.ClassDef)):
            functions = _functions(cls)
            removal = functions.get("async_will_remove_from_hass")
            unlistens = removal is not None and "async_unlisten" in _called(removal)
            for name, function in functions.items():
                calls = _called(function) & subscribe
                if name != "async_added_to_hass":
                    assert not calls, (module, cls.name, name)
                    continue
                undone = {
                    id(inner)
                    for outer in ast.walk(function)
                    if isinstance(outer, ast.Call)
                    and isinstance(outer.func, ast.Attribute)
                    and outer.func.attr == "async_on_remove"
                    for inner in ast.walk(outer)
                }
                for call in ast.walk(function):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr in subscribe
                    ):
                        checked += 1
                        if call.func.attr == "async_listen":
                            assert unlistens, (module, cls.name)
                            continue
                        assert id(call) in undone, (module, cls.name)
    assert checked


def test_flow_hooks_exist() -> None:
    """``reauthentication-``, ``reconfiguration-flow``, ``stale-devices``, unloading..."""
    init = _functions(_tree("__init__.py"))
    assert {"async_unload_entry", "async_remove_config_entry_device"} <= init.keys()
    assert "async_setup_services" in _called(init["async_setup"])  # action-setup
    flow = _functions(_tree("config_flow.py"))
    assert {"async_step_reauth", "async_step_reconfigure"} <= flow.keys()
    assert "async_get_config_entry_diagnostics" in _functions(_tree("diagnostics.py"))
    # unique-config-entry: a station already set up aborts the flow.
    assert "_async_abort_entries_match" in _called(flow["async_step_user"])
    # test-before-configure / test-before-setup: the server answers first.
    helpers = _functions(_tree("helpers.py"))
    assert {"get_version", "get_job_list"} <= _called(helpers["validate_input"])
    assert "get_version" in _called(helpers["async_create_client"])


def test_every_flow_field_has_a_description() -> None:
    """``config-flow``: every field of every form has a data_description."""
    sections = [EN["config"], EN["options"], *EN["config_subentries"].values()]
    sections += [i["fix_flow"] for i in EN["issues"].values() if "fix_flow" in i]
    fields = 0
    for section in sections:
        for step in section["step"].values():
            assert set(step.get("data", {})) == set(step.get("data_description", {}))
            fields += len(step.get("data", {}))
    assert fields >= 10


def test_websession_injected() -> None:
    """``inject-websession``: no module makes an aiohttp session of its own."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "ClientSession(" not in text, path
        assert "async_create_clientsession" not in text, path


def test_dependencies_pinned() -> None:
    """``dependency-transparency``: the requirements are pinned PyPI releases."""
    assert all(re.fullmatch(r"[\w-]+==[\w.]+", r) for r in MANIFEST["requirements"])


def test_polling_as_documented() -> None:
    """``appropriate-polling``: the intervals the YAML's comment names."""
    from custom_components.ezeep import const
    from custom_components.ezeep.coordinator import printer

    assert (const.DEFAULT_SCAN_INTERVAL, const.MIN_SCAN_INTERVAL) == (60, 15)
    assert const.MAX_SCAN_INTERVAL == 3600
    assert printer.SCAN_INTERVAL.total_seconds() == 60
    assert printer.EVENTS_SCAN_INTERVAL.total_seconds() == 600


DOCS = {
    "docs-actions": "## Services",
    "docs-configuration-parameters": "**Options**",
    "docs-data-update": "polled every minute",
    "docs-examples": "## Automation examples",
    "docs-installation-instructions": "## Install",
    "docs-installation-parameters": "The form's fields",
    "docs-known-limitations": "## Known limitations",
    "docs-removal-instructions": "## Removal",
    "docs-supported-devices": "## Printer readiness",
    "docs-supported-functions": "## Entities",
    "docs-troubleshooting": "## Troubleshooting",
    "docs-use-cases": "## Blueprints",
}


def test_documentation_rules_have_their_readme_section() -> None:
    """The ``docs-*`` rules marked done point at a part of README.md."""
    done = {rule for rule in SCALE["rules"] if rule.startswith("docs-")}
    done = {rule for rule in done if _status(rule)[0] == "done"}
    assert done - {"docs-high-level-description"} == DOCS.keys()
    for rule, text in DOCS.items():
        assert text in README, rule
