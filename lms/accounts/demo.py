"""The demo workspace: tests/fixtures/demo_workspace/*.csv imported by the same import_file as uploads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from lms.accounts.batches import import_file
from lms.accounts.models import Workspace
from lms.config import ROOT
from lms.identity.models import User

DEMO_DIR = ROOT / "tests" / "fixtures" / "demo_workspace"
ORDER = ("accounts", "contacts", "signals", "opportunities", "handoffs")
PROGRAMME_START = datetime(2026, 1, 5)


def load_demo_workspace(workspace: Workspace, user: User, folder: Path = DEMO_DIR) -> dict[str, dict[str, int]]:
    """Import the demo accounts, contacts, signals, opportunities and handoffs into `workspace` as `user`.

    Returns {entity: counts} (new, updated, unchanged, merged, rejected, total). Idempotent: a second run
    finds every record and changes nothing (no import batch or statement is recorded then). Sets the
    programme start to 2026-01-05. Flushes, never commits. Raises FileNotFoundError when a demo file is
    missing, and batches.ImportRefused if one no longer validates.
    """
    results: dict[str, dict[str, int]] = {}
    for entity in ORDER:
        path = folder / f"{entity}.csv"
        _, counts = import_file(workspace, user, path.name, path.read_bytes(), entity=entity, log_unchanged=False)
        results[entity] = counts.as_dict()
    if workspace.programme_start != PROGRAMME_START:
        workspace.programme_start = PROGRAMME_START
    return results
