"""Check the target account list: every target account answers the five questions of module 03, and has a tier.

Rules, in the order a learner fixes them (each testable alone on a `Context`):
  list-size              at least MIN_TARGETS target accounts (fewer is a blocker)
  why-it-matters-now     a reason of its own: enough words, not copied from another row, naming something of
                         the account (its name, industry, a figure, a contact, a signal or an opportunity)
  icp-fit-evidence       a 0-100 score backed by evidence specific to the account; a fit under LOW_FIT asks why
                         the account is a target
  sales-sign-off         sales said yes through sign-off (a sales colleague on the team, an invited sales
                         colleague or the coach), with who and when; a disagreement is a blocker
  named-owners           a named sales owner and a named marketing owner, two different people (a team or a
                         placeholder as owner is a blocker)
  progress-is-measurable an observable milestone with a date, written for this account
  tiered-to-capacity     every account tiered; 1:1 kept to a handful
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass

from lms.abm.coverage import normalise_tier
from lms.abm.integrity import (
    GENERIC,
    Facts,
    account_facts,
    is_answered,
    meaningful_words,
    mentions,
    owner_problem,
    repeated,
    team_member,
)
from lms.abm.snapshot import AccountSnap, PersonSnap, WorkspaceSnapshot
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules

PASS_MARK = 80
MIN_TARGETS = 5  # a list shorter than this is not a list to tier and agree
MIN_WORDS = 4  # words of substance (not generic, not the account's name) for a reason to count
LOW_FIT = 40  # an ICP fit below this is a poor fit: a target needs a reason to be on the list anyway
MAX_ONE_TO_ONE = 10  # more 1:1 accounts than this is not a realistic programme...
MAX_ONE_TO_ONE_SHARE = 0.20  # ...nor more than this share of the list,
MIN_ONE_TO_ONE_FOR_SHARE = 3  # once there are at least this many (two 1:1s in a list of five is fine)
SIGN_OFF_PATHS = {"sales": "a sales colleague on your team", "guest": "an invited sales colleague",
                  "coach": "your coach, standing in for sales"}

M_CHOOSE = "abm-foundations/choosing-target-accounts"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_AGREE = "abm-alignment-programme/agreeing-the-account-list"

RULES = Rules()

# A date or a time box: a month, a quarter, a half, a year, "within 60 days", "by the end of", "this quarter".
_WHEN = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|q[1-4]|h[12]|20\d\d|quarter|year end|month end|"
    r"within \d+ (?:days?|weeks?|months?)|end of (?:the )?(?:week|month|quarter|year)|"
    r"(?:this|next) (?:week|month|quarter|year)|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Twins:
    """Target accounts whose answer is the same: the accounts with this text word for word, then the accounts
    with near copies of it (integrity.repeated). One object serves every account of the group."""

    same: tuple[int, ...]
    near: tuple[int, ...]

    def others(self) -> int:
        """Return how many other accounts have the same answer as any one account of `same`."""
        return len(self.same) - 1 + len(self.near)

    def first(self, own: int, n: int) -> list[int]:
        """Return the first `n` accounts other than `own` with the same answer, word-for-word copies first."""
        found = [k for k in self.same[: n + 1] if k != own][:n]
        return found + list(self.near[: n - len(found)])


@dataclass(frozen=True)
class Context:
    """What the rules read: the workspace, its target accounts, each account's facts, and copied answers."""

    workspace: WorkspaceSnapshot
    targets: tuple[AccountSnap, ...]
    facts: Mapping[int, Facts]
    copied: Mapping[str, Mapping[Hashable, Twins]]  # answer ("why", "icp", "progress") -> {account id: same as}
    # owner as written -> (why it is not a person or None, the team member it names): a few owners own every account
    owners: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)


def build_context(workspace: WorkspaceSnapshot) -> Context:
    """Return the context for `workspace`: its targets, their facts, and which answers repeat across rows."""
    targets = workspace.targets
    names = {a.id: a.name for a in targets}
    fields = {"why": "why_selected", "icp": "icp_reasons", "progress": "progress_definition"}
    copied = {key: _repeated({a.id: getattr(a, field) or "" for a in targets}, names) for key, field in fields.items()}
    return Context(workspace, targets, _Facts(workspace, targets), copied)


class _Facts(Mapping[int, Facts]):
    """{account id: integrity.account_facts} for the targets, each read on first use: only a reason that is long
    enough and not copied is checked against its account's facts."""

    def __init__(self, workspace: WorkspaceSnapshot, targets: tuple[AccountSnap, ...]) -> None:
        self._workspace, self._targets, self._read = workspace, {a.id: a for a in targets}, {}

    def __getitem__(self, account_id: int) -> Facts:
        if account_id not in self._read:
            self._read[account_id] = account_facts(self._workspace, self._targets[account_id])
        return self._read[account_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)


def _repeated(texts: Mapping[int, str], names: Mapping[int, str]) -> dict[Hashable, Twins]:
    """integrity.repeated, with texts given word for word on several rows grouped first (fast on big lists): a
    group shares one Twins list rather than each of its rows holding a copy of the others."""
    groups: dict[str, list[int]] = {}
    for key, text in texts.items():
        if text.strip():
            groups.setdefault(" ".join(text.lower().split()), []).append(key)
    same = repeated({keys[0]: texts[keys[0]] for keys in groups.values()}, names=names)
    out: dict[Hashable, Twins] = {}
    for keys in groups.values():
        near = tuple(k for first in same.get(keys[0], []) for k in groups[" ".join(texts[first].lower().split())])
        if len(keys) > 1 or near:
            twins = Twins(tuple(keys), near)
            for key in keys:
                out[key] = twins
    return out


def _finding(severity: str, a: AccountSnap, message: str, field: str, module: str | None = None) -> Finding:
    return Finding(severity, message, "account", a.id, a.name, field, module)


def _substance(text: object, a: AccountSnap) -> list[str]:
    """The words of a reason that say something: not stopwords, not generic, not the account's own name."""
    name = set(meaningful_words(a.name))
    return [w for w in meaningful_words(text) if w not in GENERIC and w not in name]


def _names(ctx: Context, a: AccountSnap, twins: Twins) -> str:
    found = [ctx.workspace.account(i) for i in twins.first(a.id, 3)]
    text = ", ".join(other.name for other in found if other)
    return text + (f" and {twins.others() - 3} more" if twins.others() > 3 else "")


def reason_problem(ctx: Context, a: AccountSnap, key: str, text: object, what: str) -> str | None:
    """Return what is wrong with a free-text reason for account `a` (None when it is a real answer)."""
    if len(_substance(text, a)) < MIN_WORDS:
        shown = f" ('{' '.join(str(text).split())[:60]}' is too thin)" if isinstance(text, str) and text.strip() else ""
        return f"Write {what} for {a.name}{shown}: a sentence of at least {MIN_WORDS} words of substance."
    twins = ctx.copied[key].get(a.id)
    if twins:
        return (f"{what[0].upper()}{what[1:]} for {a.name} is the same text as for {_names(ctx, a, twins)}: a copied answer "
                f"counts for none of them. Write what is true of {a.name} only.")
    if not mentions(text, ctx.facts[a.id]):
        return (f"{what[0].upper()}{what[1:]} for {a.name} says nothing about {a.name}: name what you have seen there, such "
                "as its industry, a figure, a contact, a signal or an opportunity.")
    return None


@RULES.rule("list-size", module=M_CHOOSE, weight=1)
def list_size(ctx: Context) -> Outcome:
    """A list needs at least MIN_TARGETS accounts to tier and agree with sales."""
    n = len(ctx.targets)
    if n >= MIN_TARGETS:
        return Outcome.of(1, 1, targets=n)
    finding = Finding("blocker", f"Your target account list has {n} account{'s' if n != 1 else ''}: add at least "
                      f"{MIN_TARGETS - n} more, so you have {MIN_TARGETS} to tier and agree with sales.",
                      field="is_target")
    return Outcome.of(0, 1, [finding], targets=n)


@RULES.rule("why-it-matters-now", module=M_CHOOSE, weight=1)
def why_it_matters_now(ctx: Context) -> Outcome:
    """Each account has a reason of its own: why it matters, and why now."""
    findings = []
    for a in ctx.targets:
        problem = reason_problem(ctx, a, "why", a.why_selected, "why it matters now")
        if problem:
            findings.append(_finding("improve", a, problem + " A trigger you have seen is the strongest reason.",
                                     "why_selected"))
    return Outcome.of(len(ctx.targets) - len(findings), len(ctx.targets), findings)


def _fit(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        return None
    return float(value)


@RULES.rule("icp-fit-evidence", module=M_CHOOSE, weight=1)
def icp_fit_evidence(ctx: Context) -> Outcome:
    """A 0-100 ICP fit backed by evidence of this account; a poor fit on a target needs a reason to stay."""
    findings, met = [], 0.0
    for a in ctx.targets:
        fit = _fit(a.icp_fit)
        evidence = reason_problem(ctx, a, "icp", a.icp_reasons, "the evidence for the ICP fit")
        if evidence:
            backing = f" A score of {fit:g} on its own cannot be checked." if fit is not None else ""
            findings.append(_finding("improve", a, evidence + backing, "icp_reasons"))
        if fit is None:
            shown = "" if a.icp_fit is None else f" ({a.icp_fit!r} is not a score)"
            findings.append(_finding("improve", a, f"Score {a.name} from 0 to 100 against your ideal customer "
                                     f"profile{shown}.", "icp_fit"))
        elif fit < LOW_FIT:
            findings.append(_finding("improve", a, f"{a.name} scores {fit:g} out of 100 against your ideal customer "
                                     "profile, a poor fit: say why it is a target anyway, or take it off the list.",
                                     "icp_fit"))
        if not evidence:
            met += 1.0 if fit is not None and fit >= LOW_FIT else 0.5
    return Outcome.of(met, len(ctx.targets), findings)


def _sign_off(a: AccountSnap) -> tuple[str, str] | None:
    """Return (severity, message) when the account lacks sales agreement through sign-off, else None."""
    if a.sales_agreed is False:
        reason = f" (their reason: '{' '.join(a.sales_disagree_reason.split())[:80]}')" \
            if isinstance(a.sales_disagree_reason, str) and a.sales_disagree_reason.strip() else ""
        return "blocker", (f"Sales has not agreed to work {a.name}{reason}. Resolve it before you submit: agree what "
                           "would change their mind, or take the account off the list.")
    if a.sales_agreed is None:
        return "improve", (f"{a.name} has not been reviewed by sales yet: ask the sales owner to agree it on the "
                           "sign-off page.")
    if a.sales_agreed_via not in SIGN_OFF_PATHS:
        return "improve", (f"The agreement on {a.name} was recorded without sales signing it off, so it does not "
                           "count: send the account to the sales owner from the sign-off page and let them say yes.")
    if not (isinstance(a.sales_agreed_by, str) and a.sales_agreed_by.strip()) or a.sales_agreed_at is None:
        return "improve", (f"The sign-off on {a.name} does not say who agreed and when: ask the sales owner to sign "
                           "it off again from the sign-off page.")
    return None


@RULES.rule("sales-sign-off", module=M_AGREE, weight=2)
def sales_sign_off(ctx: Context) -> Outcome:
    """Sales said yes to each account through sign-off: a named person, a date, and the path they came by."""
    findings, agreed = [], 0
    for a in ctx.targets:
        problem = _sign_off(a)
        if problem:
            findings.append(_finding(problem[0], a, problem[1], "sales_agreed"))
            continue
        agreed += 1
        when = f" on {a.sales_agreed_at:%d %b %Y}"
        findings.append(_finding("good", a, f"{a.sales_agreed_by.strip()} ({SIGN_OFF_PATHS[a.sales_agreed_via]}) "
                                 f"agreed to work {a.name}{when}.", "sales_agreed"))
    return Outcome.of(agreed, len(ctx.targets), findings, sales_agreed=agreed)


# integrity.owner_problem lets a three-word team through on a personal workspace ("EMEA sales team"): a name
# with one of these words, that is no member of the team, is a team (local until integrity.py catches it).
_TEAM_WORDS = frozenset({"team", "teams", "department", "dept", "squad", "desk", "function", "pod", "unit"})


def owner_is_a_person(owner: object, workspace: WorkspaceSnapshot) -> str | None:
    """Return why `owner` is not a named person who can own work (integrity.owner_problem, plus team names)."""
    problem = owner_problem(owner, workspace)
    if problem is None and _TEAM_WORDS & set(meaningful_words(owner)) and not team_member(str(owner), workspace.team):
        problem = f"'{str(owner).strip()}' is a team, not a person"
    return problem


def owner_side_problem(ctx: Context, a: AccountSnap, owner: object, side: str) -> str | None:
    """Return why `owner` cannot own the `side` ("sales" or "marketing") of account `a`, or None."""
    problem, member = _owner(ctx, owner)
    if problem:
        return f"Name one person as the {side} owner of {a.name}: {problem}."
    other = "marketing" if side == "sales" else "sales"
    if member and member.job_function == other:
        return (f"{member.name} works in {other}, so cannot be the {side} owner of {a.name}: name the person in "
                f"{side} who answers for it.")
    return None


def _owner(ctx: Context, owner: object) -> tuple[str | None, PersonSnap | None]:
    """Return (why `owner` is not a person, or None; the team member it names, or None), read once per owner."""
    if not (owner is None or isinstance(owner, str)):  # not text: nothing to share with other accounts
        return owner_is_a_person(owner, ctx.workspace), team_member(str(owner), ctx.workspace.team)
    if owner not in ctx.owners:
        ctx.owners[owner] = (owner_is_a_person(owner, ctx.workspace), team_member(str(owner), ctx.workspace.team))
    return ctx.owners[owner]


@RULES.rule("named-owners", module=M_AGREE, weight=1)
def named_owners(ctx: Context) -> Outcome:
    """A named sales owner and a named marketing owner, two different people."""
    findings, met = [], 0.0
    for a in ctx.targets:
        for field, side in (("sales_owner", "sales"), ("marketing_owner", "marketing")):
            problem = owner_side_problem(ctx, a, getattr(a, field), side)
            if problem:
                # A team or a placeholder in the owner's place is a non-answer dressed as one: it blocks.
                severity = "blocker" if problem.endswith("not a person.") else "improve"
                findings.append(_finding(severity, a, problem, field))
            elif side == "marketing" and " ".join(meaningful_words(a.marketing_owner)) == " ".join(
                    meaningful_words(a.sales_owner)):
                findings.append(_finding("improve", a, f"{a.name} has the same person as sales and marketing owner: "
                                         "name a second person, so each side has someone who answers for it.", field))
            else:
                met += 0.5
    return Outcome.of(met, len(ctx.targets), findings)


@RULES.rule("progress-is-measurable", module=M_CHOOSE, weight=1)
def progress_is_measurable(ctx: Context) -> Outcome:
    """Progress is an observable milestone for this account, with a date."""
    findings = []
    for a in ctx.targets:
        text = a.progress_definition
        twins = ctx.copied["progress"].get(a.id)
        if not is_answered(text, MIN_WORDS):
            message = (f"Say what counts as progress on {a.name}: a milestone both teams can see, such as 'meeting "
                       "with the operations director and a finance contact engaged by June'.")
        elif not _WHEN.search(text):
            message = (f"Progress on {a.name} has no date: add when you expect it ('by the end of Q2', 'by 30 June'), "
                       "so both teams can tell whether the account is moving.")
        elif twins:
            message = (f"Progress on {a.name} is the same text as for {_names(ctx, a, twins)}: agree a milestone for "
                       f"{a.name} with its sales owner, naming the people you need to meet.")
        else:
            continue
        findings.append(_finding("improve", a, message, "progress_definition"))
    return Outcome.of(len(ctx.targets) - len(findings), len(ctx.targets), findings)


@RULES.rule("tiered-to-capacity", module=M_TIER, weight=1)
def tiered_to_capacity(ctx: Context) -> Outcome:
    """Every account has a tier, and 1:1 is kept to a handful."""
    findings, tiers = [], {"1:1": 0, "1:few": 0, "1:many": 0, "none": 0}
    for a in ctx.targets:
        tier = normalise_tier(a.tier)
        tiers[tier or "none"] += 1
        if not tier:
            shown = f" ('{a.tier}' is not a tier)" if isinstance(a.tier, str) and a.tier.strip() else ""
            findings.append(_finding("improve", a, f"Give {a.name} a tier{shown}: 1:1, 1:few or 1:many, from its value "
                                     "and how much bespoke work you can give it.", "tier"))
    n, one = len(ctx.targets), tiers["1:1"]
    too_many = one > MAX_ONE_TO_ONE or (one >= MIN_ONE_TO_ONE_FOR_SHARE and one > MAX_ONE_TO_ONE_SHARE * n)
    if too_many:
        findings.append(Finding("improve", f"{one} of your {n} target accounts are 1:1. Each needs its own programme "
                                f"and marketer: keep 1:1 to at most {MAX_ONE_TO_ONE} accounts and a fifth of the list, "
                                "and move the rest into 1:few clusters.", field="tier"))
    allowed = min(MAX_ONE_TO_ONE, max(MIN_ONE_TO_ONE_FOR_SHARE - 1, int(MAX_ONE_TO_ONE_SHARE * n)))
    excess = one - allowed if too_many else 0  # the 1:1s beyond a handful are not tiered to capacity
    return Outcome.of(n - tiers["none"] - excess, n, findings, tiers=tiers)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of the target account list in `workspace` (there is no form: `answer` is ignored)."""
    first: list[Finding] = []
    if not workspace.accounts:
        first.append(Finding("blocker", "Your workspace has no accounts yet: import your accounts first (Accounts > "
                             "Import), then mark the ones you will work as target accounts.", field="accounts",
                             module=M_CHOOSE))
    elif not workspace.targets:
        first.append(Finding("blocker", f"None of your {len(workspace.accounts)} accounts is on the target account "
                             "list: mark the ones that fit your ideal customer profile and show intent as targets.",
                             field="is_target", module=M_CHOOSE))
    if first:
        return Result(0, False, tuple(first), {"targets": 0})
    return RULES.evaluate(build_context(workspace), pass_mark=PASS_MARK)
