"""What a checker returns: a score, passed, and findings a learner can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SEVERITIES = ("blocker", "improve", "good")
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One specific, actionable observation about the learner's work.

    `about` names what it concerns: "account", "contact", "signal", "opportunity", "handoff", "answer" or
    "workspace"; `about_id` is that record's id (or the answer row number), `field` the field to fix, and
    `module` the slug of the module that teaches the fix. `account_id` and `account` name the account the
    finding belongs to, so findings can be grouped by account (a finding about an account fills them itself);
    `rule` is the name of the checker's rule that found it. Messages are plain words a learner understands:
    no field names.
    """

    severity: str
    message: str
    about: str = "workspace"
    about_id: int | None = None
    label: str | None = None  # human name of the thing, e.g. the account's name
    field: str | None = None
    module: str | None = None
    account_id: int | None = None
    account: str | None = None
    rule: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.about == "account" and self.account_id is None and self.about_id is not None:
            object.__setattr__(self, "account_id", self.about_id)
            object.__setattr__(self, "account", self.account or self.label)


@dataclass(frozen=True)
class Result:
    """What a checker returns: a score from 0 to 100, whether it passed, and the findings."""

    score: int  # 0-100
    passed: bool
    findings: tuple[Finding, ...] = ()
    summary: dict = field(default_factory=dict)  # headline figures, e.g. {"coverage": 0.83}

    def __post_init__(self) -> None:
        if not 0 <= self.score <= 100:
            raise ValueError("score must be between 0 and 100")


def score_from_ratio(ratio: float) -> int:
    """Return a 0-100 score from a 0-1 ratio, rounded half up and clamped."""
    return max(0, min(100, int(ratio * 100 + 0.5)))


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Return the findings blockers first, then improve, then good; the order within a severity is kept."""
    return tuple(sorted(findings, key=lambda f: _SEVERITY_RANK.get(f.severity, len(SEVERITIES))))
