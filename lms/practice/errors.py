"""The reasons a practice operation can fail, worded for the learner or coach who asked for it."""

from __future__ import annotations


class PracticeError(ValueError):
    """A user-facing reason a practice operation could not be done."""


class CheckFailed(PracticeError):
    """The exercise's checker raised instead of returning a Result (a fault in the exercise, not the learner)."""
