"""The tracking package imports no domain package and no module of it imports another in a cycle (function-level
and TYPE_CHECKING imports included); its modules and functions stay small and documented."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACKING = ROOT / "lms" / "tracking"
DOMAIN = ("identity", "content", "learning", "accounts", "practice", "assessment", "workshops", "reports",
          "certificates")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, package: str = "lms.tracking") -> set[str]:
    """Every module `source` imports anywhere in the file; `from a import b` names both a and a.b."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def domain_imports(names: set[str]) -> list[str]:
    return sorted(n for n in names for d in DOMAIN if n == f"lms.{d}" or n.startswith(f"lms.{d}."))


def tracking_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p.read_text() for p in TRACKING.rglob("*.py")}
    return {name: {m for m in imports(source) if m in modules and m not in (name, "lms.tracking")}
            for name, source in modules.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules, or None."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
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


def test_tracking_imports_no_domain_package_anywhere_in_a_file():
    offenders = {module_name(p): found for p in TRACKING.rglob("*.py")
                 if (found := domain_imports(imports(p.read_text())))}
    assert offenders == {}


def test_a_domain_import_inside_a_function_or_under_type_checking_is_seen():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lms.identity.models import User\n"
              "def f():\n    import lms.accounts.records\n    from ..learning import assignments\n")
    assert domain_imports(imports(source)) == ["lms.accounts.records", "lms.identity.models",
                                               "lms.identity.models.User", "lms.learning",
                                               "lms.learning.assignments"]


def test_no_import_cycle_between_tracking_modules():
    graph = tracking_graph()
    assert "lms.tracking.statements" in graph["lms.tracking.jobs"]  # the graph sees the edges
    assert cycle(graph) is None
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_modules_and_functions_stay_small_and_documented():
    problems = []
    for path in sorted(TRACKING.rglob("*.py")):
        source, where = path.read_text(), path.relative_to(ROOT)
        tree = ast.parse(source)
        if len(source.splitlines()) > 450:
            problems.append(f"{where}: {len(source.splitlines())} lines")
        doc = ast.get_docstring(tree)
        if not doc or len(doc.splitlines()) > 3:
            problems.append(f"{where}: the module docstring should be 1-3 lines")
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.end_lineno - node.lineno >= 80:
                problems.append(f"{where}::{node.name}: {node.end_lineno - node.lineno + 1} lines")
            if node in tree.body and not node.name.startswith("_") and not ast.get_docstring(node):
                problems.append(f"{where}::{node.name} has no docstring")
    assert problems == []
