"""Checkers as readable rules: each rule is one thing good work does, with its module and weight, testable alone.

A checker builds a context (the snapshot, the answer, what it parsed), runs its `Rules` and gets a `Result`:
the score is the weighted share of what the rules found met; a blocker fails the run whatever the score.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.practice.result import Finding, Result, score_from_ratio, sort_findings


@dataclass(frozen=True)
class Outcome:
    """What one rule found: the share of its checks met (0 to 1, None when it had nothing to check), findings,
    and figures for the run's summary."""

    met: float | None
    findings: tuple[Finding, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, passed: int, total: int, findings: Iterable[Finding] = (), **summary: Any) -> Outcome:
        """Return an outcome from `passed` out of `total` checks (None met when there were none)."""
        return cls(passed / total if total else None, tuple(findings), summary)


@dataclass(frozen=True)
class Rule:
    """One rule of a checker: its name (kebab-case), the module that teaches it, its weight, and the function."""

    name: str
    module: str
    weight: float
    apply: Callable[[Any], Outcome]

    def __call__(self, context: Any) -> Outcome:
        """Run the rule; its findings carry the rule's name, and its module unless they name their own."""
        outcome = self.apply(context)
        stamped = tuple(_stamped(f, self.name, f.module or self.module) for f in outcome.findings)
        return dataclasses.replace(outcome, findings=stamped)


def _stamped(finding: Finding, rule: str, module: str | None) -> Finding:
    """Return a copy of `finding` with its rule and module set: `dataclasses.replace` without running __init__
    again, which costs several times more on a checker's thousands of findings. The copy is of a finding that
    __post_init__ has already checked, and neither field takes part in those checks."""
    copy = object.__new__(type(finding))
    fields = copy.__dict__
    fields.update(finding.__dict__)
    fields["rule"], fields["module"] = rule, module
    return copy


class Rules:
    """An ordered list of rules, filled by decorating functions: `@rules.rule("name", module=M, weight=2)`."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []

    def rule(self, name: str, *, module: str, weight: float = 1.0) -> Callable[[Callable], Callable]:
        """Register the decorated function as a rule; the function itself is returned unchanged for tests."""
        if any(r.name == name for r in self._rules):
            raise ValueError(f"two rules are called {name!r}")

        def register(fn: Callable[[Any], Outcome]) -> Callable[[Any], Outcome]:
            self._rules.append(Rule(name, module, weight, fn))
            return fn
        return register

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __getitem__(self, name: str) -> Rule:
        for rule in self._rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def evaluate(self, context: Any, *, pass_mark: int, first: Iterable[Finding] = (),
                 summary: Mapping[str, Any] | None = None) -> Result:
        """Run every rule on `context` and return the Result.

        Score: the weighted mean of the rules' `met` (rules with nothing to check are left out). Passed: score
        at or above `pass_mark` and no blocker. `first` are findings found before the rules ran (an empty
        workspace, say); `summary` adds headline figures to those the rules give.
        """
        findings, figures = list(first), dict(summary or {})
        earned = weight = 0.0
        for rule in self._rules:
            outcome = rule(context)
            findings.extend(outcome.findings)
            figures.update(outcome.summary)
            if outcome.met is not None:
                earned += rule.weight * max(0.0, min(1.0, outcome.met))
                weight += rule.weight
        score = score_from_ratio(earned / weight) if weight else 0
        passed = score >= pass_mark and not any(f.severity == "blocker" for f in findings)
        return Result(score, passed, sort_findings(findings), figures)
