"""Data flows one way between the apps: no import from a lower app into a higher one, no import
cycle between modules, and no import inside a function to get around either (Django's
AppConfig.ready, which connects receivers once the apps are loaded, is the one exception)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
# Lowest first; README "Layout" explains the order.
LAYERS = [
    "core",
    "accounts",
    "areas",
    "registry",
    "cases",
    "notify",
    "transfer",
    "fieldwork",
    "api",
    "web",
    "demo",
]


def _module_name(path: Path) -> str:
    parts = ("gridwork", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        if "tests" in relative or "migrations" in relative or relative[-1] == "conftest.py":
            continue
        found[_module_name(path)] = path
    return found


def _imports(tree: ast.AST, known: set[str]) -> list[tuple[ast.AST, str, bool]]:
    """(node, imported gridwork module, inside a function) for every import in a module."""
    found: list[tuple[ast.AST, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((child, alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    name = f"{child.module}.{alias.name}"
                    found.append((child, name if name in known else child.module, in_function))
            visit(child, inner)

    visit(tree, False)
    return [(node, name, inner) for node, name, inner in found if name.startswith("gridwork.")]


def _in_ready(tree: ast.Module, node: ast.AST) -> bool:
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for method in cls.body:
            if isinstance(method, ast.FunctionDef) and method.name == "ready" and node in ast.walk(method):
                return True
    return False


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def _graph() -> tuple[dict[str, set[str]], list[str], list[str]]:
    sources = _sources()
    known = set(sources)
    edges: dict[str, set[str]] = {name: set() for name in sources}
    upward, hidden = [], []
    for name, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, target, in_function in _imports(tree, known):
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {target}"
            if in_function and not _in_ready(tree, node):
                hidden.append(where)
            low, high = _layer(name), _layer(target)
            if low is not None and high is not None and high > low:
                upward.append(where)
            if target in known and not in_function and target != name:
                edges[name].add(target)
    return edges, upward, hidden


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_no_app_imports_a_higher_one() -> None:
    _, upward, _ = _graph()
    assert upward == [], "\n".join(upward)


def test_no_import_hides_inside_a_function() -> None:
    _, _, hidden = _graph()
    assert hidden == [], "\n".join(hidden)


def test_no_import_cycles() -> None:
    edges, _, _ = _graph()
    assert _cycles(edges) == []


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _layer("gridwork.core.x") < _layer("gridwork.web.views")
    tree = ast.parse("def f():\n    from gridwork.web import views\n")
    assert [inner for _, _, inner in _imports(tree, set())] == [True]
