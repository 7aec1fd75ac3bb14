"""The core, market data and read side stay pure: standard library and aurex.core only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "aurex"
PURE_PACKAGES = ("core", "marketdata", "readside")
ALLOWED_AUREX = ("aurex.core", "aurex.marketdata", "aurex.readside")
FORBIDDEN_STDLIB = {
    "time",
    "random",
    "socket",
    "asyncio",
    "threading",
    "os",
    "datetime",
    "secrets",
    "uuid",
    "subprocess",
    "io",
    "pathlib",
    "importlib",
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pytest.fail(f"{path}: relative import; use absolute aurex.* imports")
            names.append(node.module or "")
    return names


def _pure_modules() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (SRC / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_module_imports_only_stdlib_and_core(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "aurex":
            assert name.startswith(ALLOWED_AUREX), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", (
                f"{path.name} imports third-party {name}"
            )
            assert top not in FORBIDDEN_STDLIB, f"{path.name} imports {name}: clock/IO/randomness"


def test_core_does_not_import_marketdata() -> None:
    for path in (SRC / "core").rglob("*.py"):
        assert not any(n.startswith("aurex.marketdata") for n in _imports(path)), path.name


def test_there_are_pure_modules_to_check() -> None:
    assert len(_pure_modules()) >= 10


# -- the core's modules import one another without cycles ---------------------------


def _core_graph() -> dict[str, set[str]]:
    """``aurex.core`` module -> the core modules it imports, counting imports under
    ``TYPE_CHECKING`` and inside functions (``ast.walk`` sees every import)."""
    modules = {f"aurex.core.{p.stem}" for p in (SRC / "core").glob("*.py")}
    modules.discard("aurex.core.__init__")
    graph: dict[str, set[str]] = {}
    for name in modules:
        tree = ast.parse((SRC / "core" / f"{name.rpartition('.')[2]}.py").read_text("utf-8"))
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module in modules:
                    edges.add(node.module)
                elif node.module == "aurex.core":  # from aurex.core import commands
                    edges.update(f"aurex.core.{a.name}" for a in node.names)
        graph[name] = edges & modules - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as a path (first == last), or [] if there is none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_core_modules_import_each_other_without_cycles() -> None:
    graph = _core_graph()
    assert graph.get("aurex.core.exchange")
    cycle = _cycle(graph)
    assert cycle == [], "import cycle in aurex.core: " + " -> ".join(cycle)


def test_the_cycle_check_finds_a_lazy_import_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_core_shows_its_public_face() -> None:
    import aurex.core

    assert {"Exchange", "ExchangeConfig"} <= set(aurex.core.__all__)
    assert all(hasattr(aurex.core, name) for name in aurex.core.__all__)


# -- gateways reach the engine only through its port ------------------------------

GATEWAY_ALLOWED = (
    "aurex.engine.port",
    "aurex.engine.queries",
    "aurex.core.commands",
    "aurex.core.events",
    "aurex.core.codes",
    "aurex.core.model",
    "aurex.readside",
    "aurex.marketdata",
    "aurex.auth",
    "aurex.gateways",
    "aurex.config",
    "aurex.log_throttle",
    "aurex.logs",
    "aurex.metrics",
)
"""What a gateway may import from Aurex: the port, commands, events, codes, enums, query
and read-side types, market-data value types, the auth services and its own package."""


def _gateway_modules() -> list[Path]:
    return sorted((SRC / "gateways").rglob("*.py"))


@pytest.mark.parametrize("path", _gateway_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_gateways_import_only_the_engine_port_and_plain_types(path: Path) -> None:
    for name in _imports(path):
        if name == "aurex" or not name.startswith("aurex."):
            continue
        assert name.startswith(GATEWAY_ALLOWED), (
            f"{path.relative_to(SRC)} imports {name}: gateways use aurex.engine.port"
        )


BUILT_ONLY_BY_BOOTSTRAP = {
    "Sequencer",
    "LocalEngine",
    "create_app",
    "build_auth_services",
    "Projector",
    "HttpServer",
}
"""Parts that only ``aurex.bootstrap`` may construct or open."""


def _builders(path: Path) -> list[str]:
    """Names from BUILT_ONLY_BY_BOOTSTRAP that ``path`` calls (``X(...)`` or ``X.open(...)``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            func = func.value
        if isinstance(func, ast.Name) and func.id in BUILT_ONLY_BY_BOOTSTRAP:
            found.append(func.id)
    return found


def _composition_users() -> list[Path]:
    root = SRC.parents[1]
    harnesses = sorted((root / "tests").rglob("*harness*.py"))
    return [SRC / "cli.py", *harnesses, *sorted((root / "bench").glob("gateways*.py"))]


@pytest.mark.parametrize("path", _composition_users(), ids=lambda p: p.name)
def test_cli_benchmarks_and_harnesses_build_the_platform_only_through_bootstrap(
    path: Path,
) -> None:
    assert _builders(path) == [], f"{path.name} wires parts itself; use aurex.bootstrap"


def test_the_builder_check_notices_hand_wiring(tmp_path: Path) -> None:
    wired = tmp_path / "wired.py"
    wired.write_text("seq, rec = Sequencer.open(d)\napp = create_app(services)\n")
    assert _builders(wired) == ["Sequencer", "create_app"]
