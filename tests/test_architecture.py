"""The shape of the integration's code (issue 10): wiring in one direction, small files.

* no module imports the package's ``__init__.py`` (not even under ``TYPE_CHECKING``);
* no import cycle among the integration's modules;
* outside the libraries ``tpfm/`` and ``printer/``: files at most 350 lines, functions at
  most 50;
* the libraries ``tpfm/`` and ``printer/`` import nothing from Home Assistant.

Each check reads the source with :mod:`ast`; a failure names the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

from custom_components.ezeep.const import DOMAIN

PACKAGE = Path(__file__).parent.parent / "custom_components" / DOMAIN
LIBRARIES = ("tpfm", "printer")
MAX_FILE_LINES = 350
MAX_FUNCTION_LINES = 50


def _modules() -> dict[str, Path]:
    """Map each module's dotted name inside the package ("" is ``__init__.py``) to its file."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent.parent))


def _package_of(name: str, path: Path) -> list[str]:
    """The package a module's relative imports start from."""
    parts = name.split(".") if name else []
    return parts if path.name == "__init__.py" else parts[:-1]


def _imports(name: str, path: Path) -> list[tuple[int, list[str]]]:
    """The targets (as parts inside the package) of a module's relative imports.

    ``from .x import y`` gives ``x.y`` (``y`` may be a module or a name in ``x``),
    ``from . import y`` gives ``y``; an absolute import of the package counts too.
    Imports under ``TYPE_CHECKING`` are included.
    """
    package = _package_of(name, path)
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif module[:2] == ["custom_components", DOMAIN]:
                base, module = [], module[2:]
            else:
                continue
            found.extend(
                (node.lineno, [*base, *module, alias.name]) for alias in node.names
            )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[:2] == ["custom_components", DOMAIN]:
                    found.append((node.lineno, parts[2:]))
    return found


def _resolve(target: list[str]) -> str:
    """The module a target names: the longest prefix that is a module ("" the package)."""
    parts = list(target)
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    return {
        name: {
            _resolve(target)
            for _line, target in _imports(name, path)
            if _resolve(target) != name
        }
        for name, path in MODULES.items()
    }


def _in_library(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in LIBRARIES


def test_nothing_imports_the_package_init() -> None:
    """The wiring goes one way: ``__init__.py`` imports the modules, never back."""
    offenders = [
        f"{_relative(path)}:{line} imports {'.'.join(target) or DOMAIN} from __init__.py"
        for name, path in MODULES.items()
        if name
        for line, target in _imports(name, path)
        if _resolve(target) == ""
    ]
    assert not offenders, "\n".join(offenders)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    """No module reaches itself through the imports of the modules it imports."""
    cycles = _cycles(_graph())
    assert not cycles, "import cycles among: " + "; ".join(
        ", ".join(_relative(MODULES[name]) for name in cycle) for cycle in cycles
    )


def test_files_are_short() -> None:
    """Outside the libraries no file is longer than 350 lines."""
    offenders = [
        f"{_relative(path)}: {lines} lines (at most {MAX_FILE_LINES})"
        for name, path in MODULES.items()
        if not _in_library(name)
        and (lines := len(path.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not offenders, "\n".join(offenders)


def test_functions_are_short() -> None:
    """Outside the libraries no function (decorators included) is longer than 50 lines."""
    offenders: list[str] = []
    for name, path in MODULES.items():
        if _in_library(name):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - first + 1
                if lines > MAX_FUNCTION_LINES:
                    offenders.append(
                        f"{_relative(path)}:{node.lineno} {node.name}: {lines} lines"
                        f" (at most {MAX_FUNCTION_LINES})"
                    )
    assert not offenders, "\n".join(offenders)


def test_libraries_import_no_home_assistant() -> None:
    """``tpfm/`` and ``printer/`` import neither Home Assistant nor the integration."""
    offenders: list[str] = []
    for name, path in MODULES.items():
        if not _in_library(name):
            continue
        library = name.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders.extend(
                f"{_relative(path)}:{node.lineno} imports {imported}"
                for imported in names
                if imported.split(".")[0] == "homeassistant"
            )
        offenders.extend(
            f"{_relative(path)}:{line} imports {'.'.join(target) or DOMAIN},"
            f" outside {library}/"
            for line, target in _imports(name, path)
            if target[0] != library
        )
    assert not offenders, "\n".join(offenders)
