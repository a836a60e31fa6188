"""Packaging: manifest, hacs.json, translations, services, icons, blueprints, brand images.

The translation checks read the code: every error, abort reason and exception key it can
produce must have English text, so a newly added key without one fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import itertools
import json
from pathlib import Path
import re
import struct
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.loader import async_get_integration
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep import const, services
from custom_components.ezeep.const import DOMAIN

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / DOMAIN
MANIFEST: dict[str, Any] = json.loads((PACKAGE / "manifest.json").read_text())
HACS: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text())
EN: dict[str, Any] = json.loads((PACKAGE / "translations" / "en.json").read_text())
ICONS: dict[str, Any] = json.loads((PACKAGE / "icons.json").read_text())
SERVICES_YAML: dict[str, Any] = yaml_util.load_yaml_dict(PACKAGE / "services.yaml")
BLUEPRINTS = sorted((PACKAGE / "blueprints").glob("*/*.yaml"))

IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
KEY = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


# -- manifest.json and hacs.json -----------------------------------------------------


def test_manifest() -> None:
    """Every key HACS and hassfest require, with valid values, in hassfest's order."""
    required = {
        "domain",
        "name",
        "version",
        "documentation",
        "issue_tracker",
        "codeowners",
        "config_flow",
        "iot_class",
        "integration_type",
        "requirements",
    }
    assert required <= MANIFEST.keys()
    assert MANIFEST["domain"] == DOMAIN == PACKAGE.name
    assert MANIFEST["name"].strip()
    assert AwesomeVersion(MANIFEST["version"]).valid
    assert AwesomeVersion(MANIFEST["version"]).strategy != "unknown"
    for key in ("documentation", "issue_tracker"):
        assert re.fullmatch(r"https://\S+", MANIFEST[key]), key
    assert MANIFEST["codeowners"]
    assert all(re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", o) for o in MANIFEST["codeowners"])
    assert MANIFEST["config_flow"] is True
    assert MANIFEST["iot_class"] in IOT_CLASSES
    assert MANIFEST["integration_type"] in INTEGRATION_TYPES
    assert isinstance(MANIFEST["requirements"], list)
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


async def test_manifest_loads(hass: HomeAssistant) -> None:
    """Home Assistant reads the manifest, and its dependencies exist."""
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.version == AwesomeVersion(MANIFEST["version"])
    assert integration.config_flow is True
    assert integration.has_branding
    for name in (*MANIFEST.get("dependencies", []), *MANIFEST["after_dependencies"]):
        await async_get_integration(hass, name)


def test_hacs_json() -> None:
    """Known keys only; the minimum Home Assistant is the one the tests run on."""
    assert HACS.keys() <= HACS_KEYS
    assert HACS["name"] == MANIFEST["name"]
    assert HACS["homeassistant"] == ha_version
    assert HACS["render_readme"] is True


def test_brand_images() -> None:
    """Icon 256 and 512 px square, logos at most 512 px high; all small PNGs."""

    def size(path: Path) -> tuple[int, int]:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path.name
        assert data[12:16] == b"IHDR"
        return struct.unpack(">II", data[16:24])

    brand = PACKAGE / "brand"
    assert size(brand / "icon.png") == (256, 256)
    assert size(brand / "icon@2x.png") == (512, 512)
    for name in ("logo.png", "dark_logo.png"):
        width, height = size(brand / name)
        assert 128 <= height <= 256 <= width, name
    for path in brand.iterdir():
        assert path.suffix == ".png"
        assert path.stat().st_size < 60_000, path.name


# -- translations of what the code produces ------------------------------------------


class _Module:
    """The string values an expression of a module can take, found by reading it."""

    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(), str(path))
        #: Names imported from a sibling module (``from .helpers import make_client``).
        self.imports: dict[str, Path] = {
            alias.asname or alias.name: path.parent / f"{node.module}.py"
            for node in ast.walk(self.tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
            for alias in node.names
        }
        self.parents: dict[ast.AST, ast.AST] = {
            child: node
            for node in ast.walk(self.tree)
            for child in ast.iter_child_nodes(node)
        }
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, []).append(node)

    def scope(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def classes(self) -> Iterator[ast.ClassDef]:
        yield from (n for n in ast.walk(self.tree) if isinstance(n, ast.ClassDef))

    def calls(self, root: ast.AST, *names: str) -> Iterator[ast.Call]:
        for node in ast.walk(root):
            if isinstance(node, ast.Call) and _name(node.func) in names:
                yield node

    def values(
        self, node: ast.AST | None, seen: frozenset[ast.AST] = frozenset()
    ) -> set[str]:
        """Every string ``node`` may evaluate to (None and non-strings are left out)."""
        if node is None or node in seen:
            return set()
        seen |= {node}
        match node:
            case ast.Constant(value=str(value)):
                return {value}
            case ast.IfExp(body=body, orelse=orelse):
                return self.values(body, seen) | self.values(orelse, seen)
            case ast.BoolOp(values=operands):
                return set().union(*(self.values(v, seen) for v in operands))
            case ast.Await(value=value) | ast.NamedExpr(value=value):
                return self.values(value, seen)
            case ast.Tuple(elts=elements):
                return set().union(*(self.values(e, seen) for e in elements))
            case ast.JoinedStr(values=parts):
                options = [
                    self.values(p.value, seen)
                    if isinstance(p, ast.FormattedValue)
                    else self.values(p, seen)
                    for p in parts
                ]
                return {"".join(combo) for combo in itertools.product(*options)}
            case ast.Call(func=func):
                name = _name(func) or ""
                if name not in self.functions and name in self.imports:
                    # A function of a sibling module: what it returns there.
                    other = _module(self.imports[name])
                    return other.values(ast.Call(ast.Name(name), [], []), seen)
                return set().union(
                    *(
                        self.values(ret.value, seen)
                        for function in self.functions.get(name, [])
                        for ret in ast.walk(function)
                        if isinstance(ret, ast.Return) and self.scope(ret) is function
                    )
                )
            case ast.Name(id=name):
                return self._name_values(node, name, seen)
        return set()

    def _name_values(
        self, node: ast.Name, name: str, seen: frozenset[ast.AST]
    ) -> set[str]:
        function = self.scope(node)
        if function is None:
            value = getattr(const, name, None)
            return {value} if isinstance(value, str) else set()
        found: set[str] = set()
        assigned = False
        for child in ast.walk(function):
            if (
                isinstance(child, ast.Assign | ast.AnnAssign)
                and any(
                    isinstance(t, ast.Name) and t.id == name
                    for target in (
                        child.targets
                        if isinstance(child, ast.Assign)
                        else [child.target]
                    )
                    for t in ast.walk(target)
                )
            ) or (isinstance(child, ast.NamedExpr) and child.target.id == name):
                assigned = True
                index = _unpacked_at(child, name)
                found |= (
                    self.values(child.value, seen)
                    if index is None
                    else self._element(child.value, index, seen)
                )
        if assigned:
            return found
        params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        if name in params or name in [a.arg for a in function.args.kwonlyargs]:
            # A parameter: what the module's callers pass for it; for a constructor,
            # what the package's calls of the class pass.
            offset = 1 if params[:1] == ["self"] else 0
            for module, call in self._callers(function):
                index = params.index(name) - offset if name in params else -1
                if 0 <= index < len(call.args):
                    found |= module.values(call.args[index], seen)
                found |= set().union(
                    *(
                        module.values(k.value, seen)
                        for k in call.keywords
                        if k.arg == name
                    )
                )
            return found
        value = getattr(const, name, None)
        return {value} if isinstance(value, str) else set()

    def _element(self, node: ast.AST, index: int, seen: frozenset[ast.AST]) -> set[str]:
        """The strings item ``index`` of the tuple ``node`` evaluates to may be."""
        if node in seen:
            return set()
        seen |= {node}
        match node:
            case ast.Tuple(elts=elements) if index < len(elements):
                return self.values(elements[index], seen)
            case ast.Await(value=value):
                return self._element(value, index, seen)
            case ast.Call(func=func):
                name = _name(func) or ""
                if name not in self.functions and name in self.imports:
                    other = _module(self.imports[name])
                    return other._element(ast.Call(ast.Name(name), [], []), index, seen)
                return set().union(
                    *(
                        self._element(ret.value, index, seen)
                        for function in self.functions.get(name, [])
                        for ret in ast.walk(function)
                        if isinstance(ret, ast.Return)
                        and ret.value is not None
                        and self.scope(ret) is function
                    )
                )
        return self.values(node, seen)

    def _callers(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> Iterator[tuple[_Module, ast.Call]]:
        """The calls of a function in its module; of a constructor, in the package."""
        owner = self.parents.get(function)
        if function.name != "__init__" or not isinstance(owner, ast.ClassDef):
            yield from ((self, call) for call in self.calls(self.tree, function.name))
            return
        for path in sorted(PACKAGE.rglob("*.py")):
            module = _module(path)
            yield from (
                (module, call) for call in module.calls(module.tree, owner.name)
            )
            # A subclass passes the arguments on with super().__init__(...).
            for cls in ast.walk(module.tree):
                if isinstance(cls, ast.ClassDef) and owner.name in {
                    _name(base) for base in cls.bases
                }:
                    yield from (
                        (module, call)
                        for call in ast.walk(cls)
                        if isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "__init__"
                        and isinstance(call.func.value, ast.Call)
                        and _name(call.func.value.func) == "super"
                    )


def _unpacked_at(assignment: ast.AST, name: str) -> int | None:
    """The position of ``name`` in ``a, name = ...`` (None: not unpacked there)."""
    if isinstance(assignment, ast.Assign) and len(assignment.targets) == 1:
        target = assignment.targets[0]
        if isinstance(target, ast.Tuple):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Name) and element.id == name:
                    return index
    return None


_MODULES: dict[Path, _Module] = {}


def _module(path: Path) -> _Module:
    """The read module at ``path`` (each file is read once)."""
    if path not in _MODULES:
        _MODULES[path] = _Module(path)
    return _MODULES[path]


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _flow_keys(module: _Module, flow: ast.AST) -> tuple[set[str], set[str]]:
    """The error keys and abort reasons a flow class can produce."""
    errors: set[str] = set()
    aborts: set[str] = set()
    for node in ast.walk(flow):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                ):
                    errors |= module.values(node.value)
    for call in module.calls(flow, "async_show_form"):
        if isinstance(dict_ := _keyword(call, "errors"), ast.Dict):
            errors |= set().union(*(module.values(v) for v in dict_.values))
    for call in module.calls(flow, "async_abort"):
        aborts |= module.values(_keyword(call, "reason"))
    if any(
        module.calls(
            flow, "_async_abort_entries_match", "_abort_if_unique_id_configured"
        )
    ):
        aborts.add("already_configured")
    if any(
        module.calls(flow, "async_update_and_abort", "async_update_reload_and_abort")
    ):
        methods = {
            n.name for n in ast.walk(flow) if isinstance(n, ast.AsyncFunctionDef)
        } | {  # a step that serves another: async_step_reconfigure = async_step_person
            t.id
            for n in ast.walk(flow)
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        if "async_step_reauth" in methods:
            aborts.add("reauth_successful")
        if "async_step_reconfigure" in methods:
            aborts.add("reconfigure_successful")
    return errors, aborts


def _texts(section: dict[str, Any] | None) -> set[str]:
    return {k for k, v in (section or {}).items() if isinstance(v, str) and v.strip()}


def test_config_flow_translations() -> None:
    """Every error and abort reason of each flow has English text."""
    module = _Module(PACKAGE / "config_flow.py")
    subentry_types: dict[str, str] = {}
    for function in module.functions.get("async_get_supported_subentry_types", []):
        for ret in ast.walk(function):
            if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Dict):
                for key, value in zip(ret.value.keys, ret.value.values, strict=True):
                    (subentry_type,) = module.values(key)
                    subentry_types[_name(value) or ""] = subentry_type
    checked = 0
    kinds: set[str] = set()
    # The flows may live in modules beside config_flow.py (sub-entries, options).
    for flow_module in map(_module, sorted(PACKAGE.rglob("*.py"))):
        for flow in flow_module.classes():
            bases = {_name(base) for base in flow.bases}
            if "ConfigFlow" in bases:
                section = EN["config"]
            elif "OptionsFlow" in bases:
                section = EN["options"]
            elif "ConfigSubentryFlow" in bases:
                section = EN["config_subentries"][subentry_types[flow.name]]
            else:
                continue
            kinds |= bases
            errors, aborts = _flow_keys(flow_module, flow)
            assert errors <= _texts(section.get("error")), (flow.name, errors)
            assert aborts <= _texts(section.get("abort")), (flow.name, aborts)
            checked += len(errors) + len(aborts)
    assert checked >= 10  # the reading found the keys
    assert {"ConfigFlow", "OptionsFlow", "ConfigSubentryFlow"} <= kinds


def test_repair_flow_translations() -> None:
    """Every fixable issue and the abort reasons of the repair flow have English text."""
    issues: set[str] = set()
    fixable: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        module = _Module(path)
        for call in module.calls(module.tree, "async_create_issue"):
            keys = module.values(_keyword(call, "translation_key"))
            issues |= keys
            if (flag := _keyword(call, "is_fixable")) is None or (
                isinstance(flag, ast.Constant) and flag.value
            ):
                fixable |= keys
    assert issues
    for key in issues:
        assert EN["issues"][key]["title"].strip()
    repairs = _Module(PACKAGE / "repairs.py")
    reasons = set().union(
        *(
            repairs.values(_keyword(c, "reason"))
            for c in repairs.calls(repairs.tree, "async_abort")
        )
    )
    for key in fixable:
        flow = EN["issues"][key]["fix_flow"]
        assert flow["step"]["confirm"]["description"].strip()
        assert reasons <= _texts(flow.get("abort")), (key, reasons)


def _translation_keys() -> Iterator[tuple[str, str, str]]:
    """(what, key, where) of every ``translation_key=`` in the package's code."""
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _Module(path)
        for node in ast.walk(module.tree):
            if (
                not isinstance(node, ast.Call)
                or (value := _keyword(node, "translation_key")) is None
            ):
                continue
            found = module.values(value)
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            assert found, f"{where}: a translation key this test cannot read"
            for key in found:
                yield _name(node.func) or "", key, where


def test_exception_translations() -> None:
    """Every translation key of a raised or returned exception has an English message."""
    keys = {
        key
        for what, key, _ in _translation_keys()
        if not what.endswith(("Description", "SelectorConfig"))
        and what not in ("async_create_issue", "DeviceInfo")
    }
    assert {
        "auth_failed",
        "cannot_connect",
        "release_cooldown",
        "invalid_copies",
    } <= keys
    missing = {
        k for k in keys if not EN["exceptions"].get(k, {}).get("message", "").strip()
    }
    assert not missing
    assert all(KEY.match(k) for k in EN["exceptions"])


def test_entity_device_and_selector_translations() -> None:
    """Entity descriptions, devices and selectors in the code have English names and icons."""
    for what, key, where in _translation_keys():
        if match := re.fullmatch(r"(?:Ezeep)?(?:Printer)?(\w+)EntityDescription", what):
            platform = re.sub(r"(?<!^)(?=[A-Z])", "_", match[1]).lower()
            assert EN["entity"][platform][key]["name"].strip(), where
            assert ICONS["entity"][platform][key]["default"].startswith("mdi:"), where
        elif what == "DeviceInfo":
            assert EN["device"][key]["name"].strip(), where
        elif what.endswith("SelectorConfig"):
            assert EN["selector"][key]["options"], where


async def test_entities_have_translations_and_icons(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every entity's translation key has a name and an icon; states and event types too."""
    entries = er.async_entries_for_config_entry(
        er.async_get(hass), init_integration.entry_id
    )
    assert {entry.domain for entry in entries} >= {
        "sensor",
        "binary_sensor",
        "button",
        "event",
    }
    for entry in entries:
        assert entry.translation_key, entry.entity_id
        text = EN["entity"][entry.domain][entry.translation_key]
        assert text["name"].strip()
        assert ICONS["entity"][entry.domain][entry.translation_key][
            "default"
        ].startswith("mdi:")
        state = hass.states.get(entry.entity_id)
        assert state is not None
        for option in state.attributes.get("options", []):
            assert text["state"][option].strip()
        for event_type in state.attributes.get("event_types", []):
            assert text["state_attributes"]["event_type"]["state"][event_type].strip()
            icons = ICONS["entity"][entry.domain][entry.translation_key]
            assert icons["state_attributes"]["event_type"]["state"][event_type]


# -- services ------------------------------------------------------------------------


async def test_services_yaml_matches_the_services(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """services.yaml describes exactly the registered services and their fields."""
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert (
        registered
        == set(SERVICES_YAML)
        == {"print_all", "cancel", "get_jobs", "print_job", "delete_job", "hold_job"}
    )
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    for service in registered:
        fields = set(SERVICES_YAML[service]["fields"])
        assert set(descriptions[service]["fields"]) == fields
        schema = getattr(services, f"{service.upper()}_SCHEMA")
        assert {str(key) for key in schema.schema} == fields, service


def test_services_have_translations_and_icons() -> None:
    """Every service and field has an English name and description, and every service an icon."""
    assert set(EN["services"]) == set(SERVICES_YAML)
    assert set(ICONS["services"]) == set(SERVICES_YAML)
    for service, spec in SERVICES_YAML.items():
        text = EN["services"][service]
        assert text["name"].strip()
        assert text["description"].strip()
        assert set(text["fields"]) == set(spec["fields"])
        for field in spec["fields"]:
            assert text["fields"][field]["name"].strip()
            assert text["fields"][field]["description"].strip()
        assert ICONS["services"][service]["service"].startswith("mdi:")


# -- blueprints ----------------------------------------------------------------------


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.name)
def test_blueprint_is_valid(path: Path) -> None:
    """Home Assistant's loader accepts it; every input it uses is declared and vice versa."""
    data = yaml_util.load_yaml_dict(path)
    blueprint = Blueprint(
        data,
        path=path.name,
        expected_domain=path.parent.name,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    assert yaml_util.extract_inputs(data) == set(blueprint.inputs)
    for name, spec in blueprint.inputs.items():
        assert spec["name"].strip(), name
        assert "selector" in spec, name
    # Inputs without a default are required: give them, and the rest comes from defaults.
    required = {
        name: "x" for name, spec in blueprint.inputs.items() if "default" not in spec
    }
    inputs = BlueprintInputs(
        blueprint, {"use_blueprint": {"path": path.name, "input": required}}
    )
    inputs.validate()
    assert set(inputs.inputs_with_default) == set(blueprint.inputs)


def test_blueprints_shipped() -> None:
    """The blueprints of issues 5 and 18 are there."""
    names = {yaml_util.load_yaml_dict(path)["blueprint"]["name"] for path in BLUEPRINTS}
    assert names == {
        "Release print jobs with an NFC tag",
        "Release print jobs when a person arrives at the printer",
        "Notify on ezeep print errors",
        "Ask on arrival whether to print waiting jobs",
    }
