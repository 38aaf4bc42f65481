"""Practice operations: the exercise registry, runs and submissions. They flush, never commit."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from lms.practice.registry import Exercise, scan


def exercise_registry() -> dict[str, Exercise]:
    """Return the app's {slug: Exercise} registry, loaded once from EXERCISES_DIR.

    Exercises with faults are left out (and logged): `flask lms content check` reports them.
    """
    registry = current_app.extensions.get("lms_exercises")
    if registry is None:
        registry, problems = scan(Path(current_app.config["EXERCISES_DIR"]))
        for problem in problems:
            current_app.logger.warning("exercise not loaded: %s", problem)
        current_app.extensions["lms_exercises"] = registry
    return registry
