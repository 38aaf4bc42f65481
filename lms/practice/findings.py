"""How a run's findings are stored and shown: plain dicts, grouped by severity, each with where to fix it.

Pure: no Flask, no database. The view turns a `FixTarget` into a URL only when that page exists.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import SEVERITIES, Finding, Result

SEVERITY_LABELS = {"blocker": "Must fix", "improve": "Could be better", "good": "Done well"}
SEVERITY_TAGS = {"blocker": "bad", "improve": "warn", "good": "good"}
MAX_STORED_FINDINGS = 1000  # kept with a run
SHOWN_PER_GROUP = 50  # shown per severity on a page; the rest are counted
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
# Findings about the workspace as a whole, by the field they name: the accounts page to open.
_WORKSPACE_PAGES = {"sales_agreed": "accounts.signoff"}
_IMPORTED = {"accounts", "contacts", "signals", "opportunities"}  # what learners bring from their CRM
_IMPORTABLE = _IMPORTED | {"handoffs"}


def jsonable(value: object, depth: int = 0) -> object:
    """Return `value` as JSON-safe data: dates as ISO text, tuples and sets as lists, NaN as None."""
    if depth > 20:
        return None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value), depth + 1)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [jsonable(v, depth + 1) for v in sorted(value, key=str)]
    if isinstance(value, Iterable):
        return [jsonable(v, depth + 1) for v in value]
    return str(value)


def finding_dict(finding: Finding) -> dict:
    """Return one finding as the plain dict stored with a run."""
    return {
        "severity": finding.severity,
        "message": finding.message,
        "about": finding.about,
        "about_id": finding.about_id,
        "label": finding.label,
        "field": finding.field,
        "module": finding.module,
        "account_id": finding.account_id,
        "account": finding.account,
        "rule": finding.rule,
    }


def stored_result(result: Result, limit: int = MAX_STORED_FINDINGS) -> tuple[list[dict], dict, int]:
    """Return (findings, summary, number of findings) of a checker's result as JSON-safe data.

    Findings are kept blockers first (the checker's order within a severity) and at most `limit` of them: on a
    huge workspace a checker may name thousands of records, and nobody works through more than the first few
    hundred before checking again.
    """
    findings = sorted(result.findings, key=lambda f: _RANK.get(f.severity, len(SEVERITIES)))
    return [finding_dict(f) for f in findings[:limit]], jsonable(dict(result.summary or {})), len(findings)


def snapshot_counts(snapshot: WorkspaceSnapshot) -> dict[str, int]:
    """Return how much the checked workspace held: accounts, target accounts, contacts, signals, ..."""
    return {
        "accounts": len(snapshot.accounts),
        "targets": sum(1 for a in snapshot.accounts if a.is_target),
        "contacts": len(snapshot.contacts),
        "signals": len(snapshot.signals),
        "opportunities": len(snapshot.opportunities),
        "handoffs": len(snapshot.handoffs),
    }


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one severity, as a page shows them: the first `limit`, and how many more there are."""

    severity: str
    label: str  # "Must fix", "Could be better", "Done well"
    items: tuple[tuple[int, dict], ...]  # (index in the run's findings, finding), at most `limit` of them
    total: int  # how many findings of this severity there are

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def group_findings(findings: Sequence[Mapping], limit: int = SHOWN_PER_GROUP) -> list[FindingGroup]:
    """Return the findings grouped by severity, blockers first, keeping each one's index; empty groups left out.

    Each group holds its first `limit` findings and counts the rest. A finding with an unknown severity is
    shown with the improvements.
    """
    groups: dict[str, list[tuple[int, dict]]] = {s: [] for s in SEVERITIES}
    for index, finding in enumerate(findings or ()):
        if not isinstance(finding, Mapping):
            continue
        severity = finding.get("severity") if finding.get("severity") in groups else "improve"
        groups[severity].append((index, dict(finding)))
    return [FindingGroup(s, SEVERITY_LABELS[s], tuple(items[:limit]), len(items))
            for s, items in groups.items() if items]


def severity_counts(findings: Sequence[Mapping]) -> dict[str, int]:
    """Return {severity: number of findings} for all three severities."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings or ():
        if isinstance(finding, Mapping) and finding.get("severity") in counts:
            counts[finding["severity"]] += 1
    return counts


@dataclass(frozen=True)
class FixTarget:
    """Where a learner fixes what a finding names: an app page (endpoint and arguments) or a form anchor."""

    label: str
    endpoint: str | None = None
    args: tuple[tuple[str, int], ...] = ()
    anchor: str | None = None


def fix_target(finding: Mapping, *, workspace_empty: bool = False) -> FixTarget | None:
    """Return where to fix this finding, or None when there is nothing specific to open.

    Accounts, contacts, signals, opportunities and handoffs open their edit pages (an account's missing
    contacts open the account); answer rows open the answer form; an empty workspace opens the import.
    """
    about, about_id, field = finding.get("about"), finding.get("about_id"), finding.get("field") or ""
    if isinstance(about_id, bool) or not isinstance(about_id, int):
        about_id = None
    if about == "answer":
        root = str(field).split(".")[0] if field else ""
        return FixTarget("Fix it in your answer", anchor=f"field-{root}" if root else "answer-form")
    if workspace_empty:
        return FixTarget("Import your accounts", "accounts.import_start")
    if about == "workspace" and field in _IMPORTED and finding.get("severity") == "blocker":
        return FixTarget(f"Import your {field}", "accounts.import_start")
    if about_id is not None:
        if about == "account":
            endpoint = "accounts.account_show" if field == "contacts" else "accounts.account_edit"
            return FixTarget("Fix it", endpoint, (("account_id", about_id),))
        if about in ("contact", "signal", "opportunity", "handoff"):
            return FixTarget("Fix it", f"accounts.{about}_edit", ((f"{about}_id", about_id),))
    if field in _WORKSPACE_PAGES:
        return FixTarget("Fix it", _WORKSPACE_PAGES[field])
    if about in ("account", "contact", "signal", "opportunity", "handoff") or field in _IMPORTABLE:
        return FixTarget("Open your workspace", "accounts.overview")
    return None


def module_ref(ref: object) -> tuple[str, str] | None:
    """Split "course-slug/module-slug" into its two slugs, or None."""
    if not isinstance(ref, str) or ref.count("/") != 1:
        return None
    course, module = ref.split("/")
    return (course, module) if course and module else None


def comment_key(index: int) -> str:
    """Return the review form's name for a comment on the finding at `index`."""
    return f"finding-{index}"


def parse_finding_comments(form: Mapping[str, str], count: int) -> dict[int, str]:
    """Return {finding index: comment} for the non-empty finding comments in a submitted review form."""
    out: dict[int, str] = {}
    for index in range(max(0, min(count, 1000))):
        value = form.get(comment_key(index))
        if isinstance(value, str) and value.strip():
            out[index] = value.strip()
    return out


def summary_figures(summary: object) -> list[tuple[str, str]]:
    """Return a run's headline figures as (label, text) pairs: scalar values only, in the checker's order."""
    if not isinstance(summary, Mapping):
        return []
    out = []
    for key, value in summary.items():
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, int):
            text = f"{value:,}"
        elif isinstance(value, float):
            text = f"{value:,.0f}" if value.is_integer() or abs(value) >= 1000 else f"{round(value, 3)}"
        elif isinstance(value, str) and value.strip():
            text = value
        else:
            continue
        out.append((str(key).replace("_", " ").capitalize(), text))
    return out


# --- Findings by account ---------------------------------------------------------------------------------------

OTHER_FINDINGS = "Other findings"  # the heading of the findings that concern no one account


def finding_account(finding: Mapping) -> tuple[int | None, str | None]:
    """Return (account id, account name) the finding belongs to, or (None, None) for none.

    Findings stored before they carried their account still name one when they are about an account: its
    id is `about_id` and its name `label`.
    """
    account_id, name = finding.get("account_id"), finding.get("account")
    if isinstance(account_id, bool) or not isinstance(account_id, int):
        account_id = None
    if account_id is None and finding.get("about") == "account":
        about_id = finding.get("about_id")
        if isinstance(about_id, int) and not isinstance(about_id, bool):
            account_id, name = about_id, name or finding.get("label")
    if account_id is None:
        return None, None
    name = name.strip() if isinstance(name, str) and name.strip() else None
    return account_id, name or f"Account {account_id}"


def _severity(finding: Mapping) -> str:
    return finding.get("severity") if finding.get("severity") in _RANK else "improve"


@dataclass(frozen=True)
class AccountGroup:
    """The findings about one account (or, with account_id None, about no one account): blockers first."""

    account_id: int | None
    name: str  # the account's name, or OTHER_FINDINGS
    items: tuple[tuple[int, dict], ...]  # (index in the run's findings, finding), at most `limit` of them
    counts: dict[str, int]  # {severity: number of findings}, all of them

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)

    @property
    def worst(self) -> str:
        """The most serious severity among the findings: "blocker", "improve" or "good"."""
        return next(s for s in SEVERITIES if self.counts.get(s)) if self.total else "good"


@dataclass(frozen=True)
class FixFirst:
    """The one problem to fix first: the rule whose findings name the most accounts."""

    rule: str
    accounts: int  # accounts it affects
    blockers: int  # of its findings, how many must be fixed
    example: str  # one of its findings' messages, as the learner reads it
    module: str | None  # "course/module" that teaches the fix


@dataclass(frozen=True)
class AccountFindings:
    """A run's findings as a page shows them: what to fix first, the accounts worst first, then the rest."""

    fix_first: FixFirst | None
    accounts: tuple[AccountGroup, ...]  # the first `limit` accounts, most blockers first
    accounts_total: int  # accounts with at least one finding
    accounts_to_fix: int  # accounts with something to fix (a blocker or an improvement)
    other: AccountGroup | None  # findings about no one account (the workspace, the answer)

    @property
    def accounts_hidden(self) -> int:
        return self.accounts_total - len(self.accounts)

    @property
    def empty(self) -> bool:
        return not self.accounts_total and self.other is None


def _group(account_id: int | None, name: str, items: list[tuple[int, dict]], limit: int) -> AccountGroup:
    ordered = sorted(items, key=lambda item: (_RANK[_severity(item[1])], item[0]))
    counts = dict.fromkeys(SEVERITIES, 0)
    for _, finding in items:
        counts[_severity(finding)] += 1
    return AccountGroup(account_id, name, tuple(ordered[:limit]), counts)


def fix_first(findings: Sequence[Mapping]) -> FixFirst | None:
    """Return the rule to fix first: among findings to fix (blockers and improvements) that name a rule and an
    account, the rule naming the most accounts (ties: more blockers, then the rule met first); None if none.
    """
    accounts: dict[str, set[int]] = {}
    blockers: dict[str, int] = {}
    first: dict[str, Mapping] = {}
    for finding in findings or ():
        if not isinstance(finding, Mapping) or _severity(finding) == "good":
            continue
        rule, (account_id, _) = finding.get("rule"), finding_account(finding)
        if not isinstance(rule, str) or not rule or account_id is None:
            continue
        accounts.setdefault(rule, set()).add(account_id)
        blockers[rule] = blockers.get(rule, 0) + (_severity(finding) == "blocker")
        first.setdefault(rule, finding)
    if not accounts:
        return None
    order = list(first)
    rule = max(order, key=lambda r: (len(accounts[r]), blockers[r], -order.index(r)))
    example = first[rule]
    return FixFirst(rule, len(accounts[rule]), blockers[rule], str(example.get("message") or ""),
                    example.get("module") if isinstance(example.get("module"), str) else None)


def findings_by_account(findings: Sequence[Mapping], limit: int = SHOWN_PER_GROUP) -> AccountFindings:
    """Return the findings grouped by account, keeping each one's index in the run's findings.

    Accounts come worst first (most blockers, then most improvements, then by name) and at most `limit` of
    them are kept, each with at most `limit` findings, blockers first, then improvements, then what was done
    well; the rest are counted. Findings that concern no one account come last in their own group (also
    capped at `limit`). Old findings without an account are grouped by what they are about (finding_account).
    """
    by_account: dict[int, list[tuple[int, dict]]] = {}
    names: dict[int, str] = {}
    other: list[tuple[int, dict]] = []
    for index, finding in enumerate(findings or ()):
        if not isinstance(finding, Mapping):
            continue
        account_id, name = finding_account(finding)
        if account_id is None:
            other.append((index, dict(finding)))
            continue
        by_account.setdefault(account_id, []).append((index, dict(finding)))
        if name and (account_id not in names or names[account_id] == f"Account {account_id}"):
            names[account_id] = name
    groups = [_group(a, names[a], items, limit) for a, items in by_account.items()]
    groups.sort(key=lambda g: (-g.counts["blocker"], -g.counts["improve"], g.name.lower(), g.account_id))
    return AccountFindings(
        fix_first=fix_first(findings),
        accounts=tuple(groups[:limit]),
        accounts_total=len(groups),
        accounts_to_fix=sum(1 for g in groups if g.counts["blocker"] or g.counts["improve"]),
        other=_group(None, OTHER_FINDINGS, other, limit) if other else None,
    )
