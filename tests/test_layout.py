"""Package layout rules: no import cycles between modules, and CI checks lint and types."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cfc_sim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """cfc_sim modules imported when this module is imported (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and not _is_type_checking(node):
            todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules}
            if node.module in modules:
                found.add(node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _module_level_imports(ast.parse(p.read_text(encoding="utf-8")), modules) - {
        _module_name(p)} for p in paths}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles_between_modules() -> None:
    graph = import_graph()
    assert len(graph) > 30
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_model_and_readiness_criteria_import_no_table_or_plotting_code() -> None:
    graph = import_graph()
    model = [m for m in graph if m.startswith("cfc_sim.model")] + ["cfc_sim.readiness", "cfc_sim.uncertainty"]
    reached, todo = set(), list(model)
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo += graph.get(module, ())
    for path in (PACKAGE / (m.removeprefix("cfc_sim.").replace(".", "/") + ".py") for m in reached):
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        text = path.read_text(encoding="utf-8")
        assert "import pandas" not in text and "import matplotlib" not in text, path


def test_ci_runs_ruff_mypy_and_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]" && pytest' in readme
    assert "ruff check cfc_sim tests benchmarks docs" in ci
    assert "mypy cfc_sim" in ci
    assert "pytest" in ci
    assert "mypy" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _all_imports(tree: ast.Module, modules: set[str], package: str) -> set[str]:
    """cfc_sim modules this module imports anywhere: module level, inside functions, under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules}
            if base in modules:
                found.add(base)
    return found


def full_import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = {}
    for p in paths:
        name = _module_name(p)
        package = name if p.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = _all_imports(ast.parse(p.read_text(encoding="utf-8")), modules, package) - {name}
    return graph


def test_no_import_cycle_even_through_imports_inside_functions_or_for_type_checking() -> None:
    graph = full_import_graph()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


# What the model may import: itself, the scenario, and the pure leaves below it (never the run
# machinery, results, planning, presentation or the CLI above it).
MODEL_MAY_IMPORT = ("cfc_sim.model", "cfc_sim.scenario", "cfc_sim.calendar", "cfc_sim.metrics",
                    "cfc_sim.metric_catalogue", "cfc_sim.streams", "cfc_sim.demand", "cfc_sim.readiness",
                    "cfc_sim.uncertainty", "cfc_sim.errors")


def test_the_model_imports_nothing_above_its_layer() -> None:
    graph = full_import_graph()
    for module, imports in graph.items():
        if module.startswith("cfc_sim.model"):
            above = sorted(i for i in imports if not i.startswith(MODEL_MAY_IMPORT))
            assert not above, f"{module} imports {above}"


def test_no_function_in_the_package_is_over_80_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]  # from `def` (decorators apart)
                if lines > 80:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, long


MECHANISMS = {"hours", "court", "work", "listing", "modelled"}


def _mechanism_name(node: ast.expr) -> str | None:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    return name.lstrip("_") if name and name.lstrip("_") in MECHANISMS else None


def test_the_model_asks_which_mechanism_it_has_only_where_it_chooses_one() -> None:
    """The work and the listing are chosen once (`work_mechanism`, `listing_for`); nothing else in
    the model tests which one it has (`X is None` on hours, court, work, listing, or their truth)."""
    asking: list[str] = []
    for path in sorted((PACKAGE / "model").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
                    sides = [node.left, *node.comparators]
                    if any(isinstance(x, ast.Constant) and x.value is None for x in sides) and any(
                            _mechanism_name(x) for x in sides if isinstance(x, (ast.Attribute, ast.Name))):
                        asking.append(f"{path.name}:{function.name}")
                elif isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert)):
                    tests = [node.test]
                    while tests:
                        test = tests.pop()
                        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                            tests.append(test.operand)
                        elif isinstance(test, ast.BoolOp):
                            tests += test.values
                        elif isinstance(test, ast.Attribute) and _mechanism_name(test):
                            asking.append(f"{path.name}:{function.name}")
    assert sorted(set(asking)) == ["listing.py:listing_for", "work.py:work_mechanism"], asking
