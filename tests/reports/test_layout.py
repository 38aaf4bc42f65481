"""The reports package as a read model: no import cycles inside it, nothing below it imports it, its queries
never write, and its modules and functions stay small enough to read.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "lms" / "reports"
BELOW = ("identity", "content", "learning", "accounts", "practice", "assessment", "tracking")
WRITES = ("insert", "update", "delete")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside a function; `from pkg import mod` counts mod."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _report_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in REPORTS.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycles_inside_reports_counting_function_level_imports():
    graph = _report_graph()
    assert "lms.reports.queries.completion" in graph["lms.reports.queries.adoption"]  # the graph sees the edges
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_packages_reports_reads_never_import_it():
    offenders = [f"{path.relative_to(ROOT)} imports {name}"
                 for package in BELOW for path in (ROOT / "lms" / package).rglob("*.py")
                 for name in _imports(path) if name == "lms.reports" or name.startswith("lms.reports.")]
    assert offenders == []


def test_report_queries_never_write():
    offenders = []
    for path in (REPORTS / "queries").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
                offenders += [f"{path.name} imports {a.name}" for a in node.names if a.name in WRITES]
            if isinstance(node, ast.Attribute) and node.attr in ("add", "add_all", "delete", "flush", "commit") \
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "session":
                offenders.append(f"{path.name} calls session.{node.attr}")
    assert offenders == []

