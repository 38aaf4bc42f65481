"""The exercise registry is read from exercises/ once per process, and read again when a file in it changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lms.practice.registry import scan

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def _copy(tmp_path: Path, *slugs: str) -> Path:
    root = tmp_path / "exercises"
    for slug in slugs:
        shutil.copytree(EXERCISES / slug, root / slug, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_a_second_scan_reuses_the_first_without_importing_the_checkers_again(tmp_path):
    root = _copy(tmp_path, "account-plan")
    first, problems = scan(root)
    second, _ = scan(root)
    assert problems == [] and list(first) == ["account-plan"]
    assert second["account-plan"] is first["account-plan"]  # the same Exercise, checker imported once
    second.pop("account-plan")  # each caller gets its own dict: changing it changes nobody else's registry
    assert list(scan(root)[0]) == ["account-plan"]


def test_an_edited_brief_or_a_new_exercise_is_read_at_the_next_scan(tmp_path):
    root = _copy(tmp_path, "account-plan")
    before = scan(root)[0]["account-plan"]
    brief = root / "account-plan" / "exercise.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(f"title: {before.title}", "title: A new title", 1),
                     encoding="utf-8")
    os.utime(brief, ns=(brief.stat().st_atime_ns, brief.stat().st_mtime_ns + 1_000_000_000))
    after = scan(root)[0]["account-plan"]
    assert after.title == "A new title" and after.version != before.version
    shutil.copytree(EXERCISES / "pilot-design", root / "pilot-design", ignore=shutil.ignore_patterns("__pycache__"))
    assert sorted(scan(root)[0]) == ["account-plan", "pilot-design"]


def test_a_folder_without_its_checker_is_reported_not_loaded(tmp_path):
    root = _copy(tmp_path, "account-plan")
    (root / "broken").mkdir()
    (root / "broken" / "exercise.md").write_text("---\ntitle: Broken\n---\n", encoding="utf-8")
    exercises, problems = scan(root)
    assert list(exercises) == ["account-plan"]
    assert [(p.file, p.message) for p in problems] == [("exercises/broken", "missing check.py")]
