"""The learning record's modules say what they are: a 1-3 line module docstring, and a docstring on every public
function. That tracking imports no domain package, has no cycles and stays small is held by
tests/test_architecture.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACKING = ROOT / "lms" / "tracking"


def undocumented(source: str, where: str) -> list[str]:
    """A missing or over-long module docstring, and public top-level functions without a docstring."""
    tree = ast.parse(source)
    problems = []
    doc = ast.get_docstring(tree)
    if not doc or len(doc.splitlines()) > 3:
        problems.append(f"{where}: the module docstring should be 1-3 lines")
    problems += [f"{where}::{node.name} has no docstring" for node in tree.body
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                 and not node.name.startswith("_") and not ast.get_docstring(node)]
    return problems


def test_modules_and_public_functions_are_documented():
    problems = [p for path in sorted(TRACKING.rglob("*.py"))
                for p in undocumented(path.read_text(), str(path.relative_to(ROOT)))]
    assert problems == []


def test_an_undocumented_module_and_function_are_reported():
    assert undocumented("def record():\n    pass\ndef _private():\n    pass\n", "x.py") == [
        "x.py: the module docstring should be 1-3 lines", "x.py::record has no docstring"]
