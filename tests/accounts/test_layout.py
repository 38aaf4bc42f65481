"""The workspace package's layout: an upload flows one way through the import stages, and the stages are pure.

Package arrows, cycles and sizes are held for the whole application by tests/test_architecture.py.
"""

from __future__ import annotations

import pytest

from tests.test_architecture import GRAPH, RAW, is_framework

# The path of an upload, first to last: a module may import only modules before it in this list.
IMPORT_FLOW = ("fields", "labels", "importer.reading", "importer.detection", "importer.values",
               "importer.row_rules", "importer.validation", "importer", "resolution", "analysis", "batches")
PURE = ("fields", "labels", "importer.reading", "importer.detection", "importer.values", "importer.row_rules",
        "importer.validation", "importer")


def later_stages_imported(flow: tuple[str, ...], graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each stage, the later stages it imports: an upload bouncing back up the flow."""
    found = {}
    for position, module in enumerate(flow):
        later = {f"lms.accounts.{m}" for m in flow[position + 1:]}
        if bad := graph[f"lms.accounts.{module}"] & later:
            found[module] = bad
    return found


def test_each_import_stage_imports_only_the_stages_before_it():
    assert later_stages_imported(IMPORT_FLOW, GRAPH) == {}


def test_a_stage_importing_a_later_one_is_reported():
    graph = {"lms.accounts.a": {"lms.accounts.b"}, "lms.accounts.b": set()}
    assert later_stages_imported(("a", "b"), graph) == {"a": {"lms.accounts.b"}}


@pytest.mark.parametrize("module", PURE)
def test_the_importer_and_the_field_vocabulary_import_no_framework_and_no_model(module):
    names = RAW[f"lms.accounts.{module}"]
    assert [n for n in names if is_framework(n) or n.endswith(".models")] == []
