"""The dependency rules of DESIGN.md, held against the code's own imports (function-level imports included).

The rules are functions of an import graph `{module: {imported modules}}`, so the same functions run on the
real code and on made-up graphs that prove each rule fails when it is broken.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Packages in layers: a package may import packages of a lower layer (and the plumbing at lms/ root); a
# package of the same layer only where SAME_LAYER allows it. DESIGN.md: abm <- tracking <- identity <- content
# <- learning <- (accounts, practice, workshops) <- assessment <- (reports, certificates).
LAYERS = {
    "abm": 0,
    "tracking": 1,
    "identity": 2,
    "content": 3,
    "learning": 4,
    "accounts": 5,
    "practice": 5,
    "workshops": 5,
    "assessment": 6,
    "reports": 7,
    "certificates": 7,
    "api": 8,
}
SAME_LAYER = {("practice", "accounts"), ("workshops", "accounts"), ("reports", "certificates")}
# What an exercise checker may see: the kernel and the checker contract (result types, answer-value readers).
CHECKER_CONTRACT = ("lms.abm", "lms.practice.result", "lms.practice.rules", "lms.practice.values")
# A module that imports any of these, directly or through another module of ours, is not pure.
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_migrate", "flask_limiter", "wtforms",
             "sqlalchemy", "werkzeug", "jinja2", "lms.extensions", "lms.database")


# --- reading the code ---------------------------------------------------------------------------------------


def module_name(path: Path, root: Path = ROOT) -> str:
    """Return the dotted name of a source file: lms/accounts/views.py -> lms.accounts.views."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = ROOT) -> list[Path]:
    """Every module of the application and every exercise checker (migrations are Alembic's, not ours)."""
    files = [p for p in sorted((root / "lms").rglob("*.py")) if "migrations" not in p.parts]
    return files + sorted((root / "exercises").glob("*/check.py"))


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name `source` imports anywhere (top level, in functions, under TYPE_CHECKING).

    `from a.b import c` yields both "a.b" and "a.b.c"; the graph keeps whichever is a module of ours.
    """
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path = ROOT) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Return (graph of our modules, every name each module imports) for the code under `root`."""
    files = source_files(root)
    ours = {module_name(p, root) for p in files}
    raw = {module_name(p, root): imports_of(p.read_text(), module_name(p, root), p.name == "__init__.py")
           for p in files}
    graph = {}
    for module, names in raw.items():
        targets = set()
        for name in names:
            if name in ours:  # `from lms.x import function` also names "lms.x", which is kept
                targets.add(name)
        # `from lms.accounts import labels` names the package and its module: keep the module only.
        targets -= {t for t in targets if any(o.startswith(t + ".") for o in targets)}
        graph[module] = targets - {module}
    return graph, raw


# --- the rules, as functions of a graph -------------------------------------------------------------------


def package_of(module: str) -> str | None:
    """Return the package a module belongs to ("accounts"), "exercises", or None for plumbing at lms/ root."""
    parts = module.split(".")
    if parts[0] == "exercises":
        return "exercises"
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return None


def may_import(source: str, target: str) -> bool:
    """Return True when package `source` may import package `target` (DESIGN.md's arrows)."""
    if source == target:
        return True
    if source == "exercises":
        return False  # checkers: only the contract, decided module by module in forbidden_arrows
    if target == "exercises":
        return False
    if LAYERS[target] < LAYERS[source]:
        return True
    return (source, target) in SAME_LAYER


def composition_roots(graph: Mapping[str, set[str]]) -> set[str]:
    """Root modules (lms/*.py) no package imports: the app factory, the CLI, the demo loader.

    They assemble the packages, so they may import any of them; every other root module is plumbing that the
    packages import, and so may import no package but the kernel.
    """
    imported_by_packages = {t for m, ts in graph.items() if package_of(m) for t in ts}
    roots = {m for m in graph if package_of(m) is None and m.startswith("lms")}
    plumbing = set()
    frontier = roots & imported_by_packages
    while frontier:  # plumbing that plumbing needs is plumbing too
        plumbing |= frontier
        frontier = {t for m in frontier for t in graph.get(m, ()) if t in roots} - plumbing
    return roots - plumbing


def forbidden_arrows(graph: Mapping[str, set[str]]) -> list[str]:
    """Every import that breaks a package arrow, as "a.b imports c.d (why)"."""
    problems = []
    roots = composition_roots(graph)
    for module, targets in sorted(graph.items()):
        source = package_of(module)
        for target in sorted(targets):
            dest = package_of(target)
            if source == "exercises":
                if not target.startswith(CHECKER_CONTRACT) and target != "lms":
                    problems.append(f"{module} imports {target} (checkers see only {', '.join(CHECKER_CONTRACT)})")
            elif source is None:
                if module not in roots and dest not in (None, "abm"):
                    problems.append(f"{module} imports {target} (plumbing that packages import imports no package)")
            elif dest is not None and not may_import(source, dest):
                problems.append(f"{module} imports {target} ({source} may not depend on {dest})")
    return problems


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (Tarjan), each sorted; a self-loop counts too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        work = [(node, iter(sorted(graph.get(node, ()))))]
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[current] = min(low[current], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[current])
                if low[current] == index[current]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == current:
                            break
                    if len(group) > 1 or current in graph.get(current, ()):
                        found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_graph(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """The graph between packages (plumbing and composition roots left out)."""
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = package_of(module)
        if source is None:
            continue
        packages.setdefault(source, set()).update(
            dest for t in targets if (dest := package_of(t)) is not None and dest != source
        )
    return packages


def is_framework(name: str) -> bool:
    """True for a framework module (Flask, SQLAlchemy, WTForms, …) or our database plumbing."""
    return any(name == f or name.startswith(f + ".") for f in FRAMEWORK)


def looks_pure(names: Iterable[str]) -> bool:
    """True when a module's own imports name neither the framework nor a models module."""
    return not any(is_framework(n) or n.endswith(".models") or ".models." in n for n in names)


def impure(graph: Mapping[str, set[str]], raw: Mapping[str, set[str]]) -> dict[str, str]:
    """{module: why it is not pure} for every module that reaches the framework, itself or through our modules."""
    reasons = {m: f"imports {min(n for n in names if is_framework(n))}"
               for m, names in raw.items() if any(is_framework(n) for n in names)}
    changed = True
    while changed:
        changed = False
        for module, targets in sorted(graph.items()):
            if module in reasons:
                continue
            for target in sorted(targets):
                if target in reasons:
                    reasons[module] = f"imports {target}, which {reasons[target]}"
                    changed = True
                    break
    return reasons


def is_facade(module: str, raw: Mapping[str, set[str]]) -> bool:
    """True for a package's __init__ that only gathers its own modules (lms/identity/views: its route modules):
    it is what they are, not a pure module that picked up the framework unseen."""
    names = [n for n in raw.get(module, ()) if n != "__future__"]
    return bool(names) and all(n == module or n.startswith(module + ".") for n in names)


def purity_problems(graph: Mapping[str, set[str]], raw: Mapping[str, set[str]]) -> list[str]:
    """Modules that must be pure and are not, each with the import chain that makes it impure.

    Must be pure: the kernel, the checker contract and the checkers (they run without an app); and every
    module of a package that looks pure itself (no framework or models import of its own), which may not reach
    the framework through one of our modules: that is how a pure-looking module picks up the database unseen.
    """
    reasons = impure(graph, raw)
    problems = []
    for module in sorted(graph):
        if module not in reasons:
            continue
        if module.startswith(CHECKER_CONTRACT) or package_of(module) == "exercises":
            problems.append(f"{module} must be pure (kernel or checker) but {reasons[module]}")
        elif package_of(module) is not None and looks_pure(raw.get(module, ())) and not is_facade(module, raw):
            problems.append(f"{module} looks pure but {reasons[module]}")
    return problems


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def oversized(files: Iterable[Path], root: Path = ROOT) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES: where a reader gets lost."""
    found = []
    for path in files:
        source, where = path.read_text(), path.relative_to(root)
        if (lines := len(source.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{where}: {lines} lines")
        for node in ast.walk(ast.parse(source, str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (lines := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                found.append(f"{where}:{node.lineno} {node.name}: {lines} lines")
    return found


# --- the rules held against the code -----------------------------------------------------------------------

GRAPH, RAW = import_graph()


def test_the_graph_covers_the_application_and_the_checkers():
    assert {"lms.abm.vocabulary", "lms.accounts.models", "lms.tracking.models", "lms.cli"} <= set(GRAPH)
    assert sum(1 for m in GRAPH if package_of(m) == "exercises") >= 9
    assert "lms.abm.snapshot" in GRAPH["lms.abm.coverage"] or "lms.abm.vocabulary" in GRAPH["lms.abm.coverage"]


def test_every_package_is_placed_in_a_layer():
    found = {m.split(".")[1] for m in GRAPH if m.startswith("lms.") and (ROOT / "lms" / m.split(".")[1]).is_dir()}
    assert found - {"migrations"} <= set(LAYERS)


def test_no_import_breaks_a_package_arrow():
    assert forbidden_arrows(GRAPH) == []


def test_packages_do_not_depend_on_each_other_in_a_cycle():
    assert cycles(package_graph(GRAPH)) == []


def test_modules_do_not_import_each_other_in_a_cycle():
    assert cycles(GRAPH) == []


def test_pure_modules_stay_pure():
    assert purity_problems(GRAPH, RAW) == []


def test_no_module_or_function_is_too_long_to_read():
    """The application and the checkers alike: a checker is a list of small rules, not one long check()."""
    assert oversized(source_files()) == []


# --- the rules fail when broken (made-up graphs) ---------------------------------------------------------


def _graph(edges: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    graph = {m: set(ts) for m, ts in edges.items()}
    for targets in list(graph.values()):
        for t in targets:
            graph.setdefault(t, set())
    return graph


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("lms.accounts.records", "lms.practice.reviews"),  # the workspace knows nothing of exercises
        ("lms.tracking.record", "lms.identity.models"),  # the record imports no domain
        ("lms.tracking.record", "lms.accounts.models"),
        ("lms.identity.views", "lms.reports.completion"),
        ("lms.content.sync", "lms.practice.registry"),
        ("lms.abm.coverage", "lms.accounts.models"),  # the kernel imports nothing of ours
        ("lms.learning.progress", "lms.assessment.capability"),
        ("exercises.demo.check", "lms.accounts.records"),  # checkers see only the kernel and their contract
        ("exercises.demo.check", "lms.practice.registry"),
        ("exercises.demo.check", "lms.database"),
    ],
)
def test_a_forbidden_arrow_is_reported(module, target):
    graph = _graph({module: {target}, "lms.cli": {module}})
    assert forbidden_arrows(graph) == [forbidden_arrows(graph)[0]]
    assert forbidden_arrows(graph)[0].startswith(f"{module} imports {target}")


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("lms.practice.runs", "lms.accounts.models"),
        ("lms.reports.completion", "lms.learning.models"),
        ("lms.accounts.records", "lms.abm.vocabulary"),
        ("lms.tracking.record", "lms.abm.vocabulary"),
        ("lms.identity.views", "lms.tracking.record"),
        ("exercises.demo.check", "lms.abm.coverage"),
        ("exercises.demo.check", "lms.practice.result"),
        ("lms.accounts.views", "lms.tenancy"),
    ],
)
def test_an_allowed_arrow_is_not_reported(module, target):
    assert forbidden_arrows(_graph({module: {target}, "lms.cli": {module}})) == []


def test_plumbing_that_packages_import_may_not_import_a_package():
    graph = _graph({"lms.accounts.views": {"lms.tenancy"}, "lms.tenancy": {"lms.identity.models"},
                    "lms.cli": {"lms.identity.models", "lms.accounts.views"}})
    assert forbidden_arrows(graph) == ["lms.tenancy imports lms.identity.models "
                                       "(plumbing that packages import imports no package)"]


def test_a_composition_root_that_a_package_imports_becomes_plumbing_and_is_reported():
    graph = _graph({"lms.cli": {"lms.practice.reviews"}, "lms.demo": {"lms.identity.models"}})
    assert forbidden_arrows(graph) == []
    graph["lms.accounts.records"] = {"lms.demo"}
    assert forbidden_arrows(graph) == ["lms.demo imports lms.identity.models "
                                       "(plumbing that packages import imports no package)"]


def test_a_module_cycle_is_found_through_any_length():
    graph = _graph({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}})
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert cycles(_graph({"a": {"b"}, "b": {"c"}})) == []


def test_a_package_cycle_is_found():
    graph = _graph({"lms.accounts.records": {"lms.practice.runs"}, "lms.practice.runs": {"lms.accounts.models"}})
    assert cycles(package_graph(graph)) == [["accounts", "practice"]]


def test_purity_is_decided_by_what_a_module_reaches():
    graph = _graph({"lms.abm.kpis": {"lms.abm.helpers"}, "lms.abm.helpers": set(),
                    "exercises.demo.check": {"lms.abm.kpis"}, "lms.learning.progress": {"lms.learning.deadlines"},
                    "lms.learning.deadlines": set(), "lms.learning.views": {"lms.learning.progress"}})
    raw = {"lms.abm.kpis": {"lms.abm.helpers"}, "lms.abm.helpers": {"re"},
           "exercises.demo.check": {"lms.abm.kpis"}, "lms.database": {"flask"},
           "lms.learning.progress": {"lms.learning.deadlines"}, "lms.learning.deadlines": {"math"},
           "lms.learning.views": {"flask", "lms.learning.progress"}}
    assert purity_problems(graph, raw) == []
    raw["lms.abm.helpers"] = {"lms.database", "lms.database.utcnow"}
    graph["lms.learning.deadlines"] = {"lms.database"}
    problems = purity_problems(graph, raw)
    assert [p.split(" ")[0] for p in problems] == ["exercises.demo.check", "lms.abm.helpers", "lms.abm.kpis",
                                                   "lms.learning.deadlines", "lms.learning.progress"]


def test_imports_inside_functions_and_relative_imports_are_read():
    source = "def f():\n    from lms.practice import reviews\n    from . import labels\nimport typing\n"
    names = imports_of(source, "lms.accounts.records")
    assert {"lms.practice", "lms.practice.reviews", "lms.accounts.labels"} <= names


def test_adding_a_practice_import_to_accounts_breaks_the_rules(tmp_path):
    """The whole path, files to verdict: a copy of two modules with a forbidden import added."""
    (tmp_path / "lms" / "accounts").mkdir(parents=True)
    (tmp_path / "lms" / "practice").mkdir(parents=True)
    (tmp_path / "exercises").mkdir()
    for pkg in ("lms", "lms/accounts", "lms/practice"):
        (tmp_path / pkg / "__init__.py").write_text('"""x"""\n')
    (tmp_path / "lms" / "practice" / "reviews.py").write_text("from lms.accounts import records\n")
    (tmp_path / "lms" / "accounts" / "records.py").write_text("def f():\n    import lms.practice.reviews\n")
    graph, _ = import_graph(tmp_path)
    assert forbidden_arrows(graph) == [
        "lms.accounts.records imports lms.practice.reviews (accounts may not depend on practice)"]
    assert cycles(graph) == [["lms.accounts.records", "lms.practice.reviews"]]


def test_a_long_module_and_a_long_function_are_reported(tmp_path):
    (tmp_path / "long.py").write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES + "\n" * MAX_MODULE_LINES)
    (tmp_path / "short.py").write_text("def g():\n    return 1\n")
    assert oversized([tmp_path / "short.py", tmp_path / "long.py"], tmp_path) == [
        f"long.py: {MAX_FUNCTION_LINES + MAX_MODULE_LINES + 1} lines", f"long.py:1 f: {MAX_FUNCTION_LINES + 1} lines"]


def test_a_package_that_only_gathers_its_own_modules_is_not_taken_for_pure():
    raw = {"lms.identity.views": {"lms.identity.views.account", "lms.identity.views.blueprint"},
           "lms.identity.views.account": {"flask"}, "lms.identity.views.blueprint": {"flask"},
           "lms.identity.helpers": {"lms.identity.views.account"}}
    graph = {m: {n for n in names if n in raw} for m, names in raw.items()}
    assert purity_problems(graph, raw) == [
        "lms.identity.helpers looks pure but imports lms.identity.views.account, which imports flask"]
