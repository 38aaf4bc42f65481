"""Check the workspace's handoffs to sales as named rules: qualified under the learner's own rules, complete,
specific, owned by a named person with a backup, with a credible SLA that was met.

What counts as qualified is the learner's own qualification rules (their saved qualification-rules answer)
when they can be applied, and module 09's rule set (lms.abm.qualification.MODULE_RULES: hot, warm, account
surge) when not; the findings say which was used. The brief's fields are module 10's ten fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lms.abm.coverage import normalise_role, normalise_roles, normalise_tier
from lms.abm.integrity import (
    Facts,
    account_facts,
    is_answered,
    meaningful_words,
    mentions,
    owner_problem,
    repeated,
    role_contradiction,
    sla_problem,
    words,
)
from lms.abm.qualification import (
    LEVEL_WORDS,
    MODULE_RULES,
    QualRule,
    is_light_only,
    qualifying_signals,
    rules_from_answer,
)
from lms.abm.signals import SignalIndex
from lms.abm.snapshot import AccountSnap, HandoffSnap, SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules

PASS_MARK = 80
QUALIFY_DAYS = 30  # qualified signals this recent must have reached sales
MIN_FOLLOW_UP_WORDS = 15
MIN_CONTEXT_WORDS = 4

M_HANDOFF = "abm-foundations/follow-up-and-the-sales-handoff"
M_PLAYBOOK = "abm-alignment-programme/team-playbooks-and-handoffs"
MODULE_SOURCE = "the module's rules (hot: a demo or meeting request; warm: 3 signals from 2 buying roles in 14 days)"
_BACKUP = re.compile(r"^(?P<owner>.*?)[\s(\[,;/-]*\bback-?up\b\s*[:=-]?\s*(?P<backup>[^)\]]*)[)\]]?\s*$", re.I)

RULES = Rules()


@dataclass(frozen=True)
class Context:
    """What every rule reads: the workspace, its dated handoffs and the qualification rules in force."""

    ws: WorkspaceSnapshot
    handoffs: tuple[HandoffSnap, ...]  # sent in the last QUALIFY_DAYS days, oldest first
    rules: tuple[QualRule, ...]
    source: str  # which definition of "qualified" was used, in words
    fallback: str | None  # why the learner's own rules were not used, or None when they were
    index: SignalIndex
    facts_cache: dict = field(default_factory=dict, compare=False, repr=False)
    met_cache: dict = field(default_factory=dict, compare=False, repr=False)  # (account id, until) -> rule_met
    by_account: dict = field(default_factory=dict, compare=False, repr=False)  # account id -> its handoffs

    def handoffs_of(self, account_id: int) -> list[HandoffSnap]:
        """Return the dated handoffs (`handoffs`) for one account, oldest first."""
        if not self.by_account:
            for h in self.handoffs:
                self.by_account.setdefault(h.account_id, []).append(h)
        return self.by_account.get(account_id, [])

    def facts(self, account: AccountSnap) -> Facts:
        """Return integrity.account_facts for an account, computed once, on its own signals and opportunities."""
        if account.id not in self.facts_cache:
            self.facts_cache[account.id] = account_facts(
                self.ws, account, signals=self.index.by_account.get(account.id, ()),
                opportunities=self.ws.opportunities_of(account.id))
        return self.facts_cache[account.id]


def build_context(workspace: WorkspaceSnapshot) -> Context:
    """Return the context: the learner's own rules when saved and usable, else the module's."""
    own, problem = rules_from_answer(workspace.answers.get("qualification-rules"))
    since = workspace.now - timedelta(days=QUALIFY_DAYS)
    handoffs = sorted((h for h in workspace.handoffs if isinstance(h.sent_at, datetime) and h.sent_at >= since),
                      key=lambda h: (h.sent_at, h.id))
    if own:
        names = ", ".join(r.label for r in own)
        return Context(workspace, tuple(handoffs), own, f"your qualification rules ({names})", None,
                       SignalIndex(workspace))
    return Context(workspace, tuple(handoffs), MODULE_RULES, MODULE_SOURCE, problem, SignalIndex(workspace))


# --- helpers ---------------------------------------------------------------------------------------------------


def _account_name(ctx: Context, account_id: int | None) -> str:
    account = ctx.ws.account(account_id)
    return account.name if account else f"an account not in your workspace ({account_id})"


def _describe(ctx: Context, h: HandoffSnap) -> str:
    contact = ctx.ws.contact(h.contact_id)
    who = f"{contact.name} at " if contact else ""
    return f"The handoff for {who}{_account_name(ctx, h.account_id)} sent {h.sent_at.day} {h.sent_at:%b %Y}"


def _about(ctx: Context, h: HandoffSnap, severity: str, message: str, field: str | None = None,
           module: str | None = None) -> Finding:
    name = _account_name(ctx, h.account_id)
    return Finding(severity, message, "handoff", h.id, name, field, module, account_id=h.account_id, account=name)


def _signals_of(ctx: Context, account_id: int) -> list[SignalSnap]:
    return list(ctx.index.by_account.get(account_id, ()))


def rule_met(ctx: Context, account_id: int, until: datetime) -> tuple[QualRule, list[SignalSnap]] | None:
    """Return the first rule (and its latest signals) the account met in the QUALIFY_DAYS days to `until`, or None.

    Kept per (account, moment): three rules ask it of every handoff."""
    key = (account_id, until)
    if key not in ctx.met_cache:
        ctx.met_cache[key] = _rule_met(ctx, account_id, until)
    return ctx.met_cache[key]


def _rule_met(ctx: Context, account_id: int, until: datetime) -> tuple[QualRule, list[SignalSnap]] | None:
    account = ctx.ws.account(account_id)
    if account is None:
        return None
    since = until - timedelta(days=QUALIFY_DAYS)
    if not ctx.index.any_in(account_id, since, until, end_inclusive=True):
        return None  # a rule is met by a span of signals that ends in these days: none, so no rule is met
    signals = _signals_of(ctx, account_id)
    for rule in ctx.rules:
        if got := qualifying_signals(rule, ctx.ws, account, signals, until, since):
            return rule, got
    return None


def owner_and_backup(text: object) -> tuple[str, str | None]:
    """Split "Sam Reyes (backup: Lin Osei)" into ("Sam Reyes", "Lin Osei"); no backup gives (text, None)."""
    value = text.strip() if isinstance(text, str) else ""
    match = _BACKUP.match(value)
    if not match:
        return value, None
    return match["owner"].strip(" ,;(["), match["backup"].strip(" ,;)]") or None


def _what_happened(ctx: Context, signals: list[SignalSnap]) -> str:
    parts = []
    for s in signals[-3:]:
        contact = ctx.ws.contact(s.contact_id)
        parts.append(f"{s.type.replace('_', ' ')} by {contact.name if contact else 'an unknown visitor'}")
    return "; ".join(parts) or "no signals"


# --- the rules, in the order a learner should fix them -----------------------------------------------------------


@RULES.rule("definition-of-qualified", module=M_HANDOFF, weight=0)
def definition_of_qualified(ctx: Context) -> Outcome:
    """Say which definition of a qualified signal the check applied (no score of its own)."""
    if ctx.fallback:
        message = (f"Qualified signals were judged by {MODULE_SOURCE}, because {ctx.fallback}. Save your own "
                   "rules in the qualification-rules exercise and the handoffs are judged by those.")
        return Outcome.of(0, 0, [Finding("improve", message)])
    return Outcome.of(0, 0, [Finding("good", f"Qualified signals were judged by {ctx.source}.")])


@RULES.rule("qualified-accounts-handed-off", module=M_HANDOFF, weight=2)
def qualified_accounts_handed_off(ctx: Context) -> Outcome:
    """Every target account that met a rule in the last QUALIFY_DAYS days has a handoff since it qualified."""
    findings, total, ok = [], 0, 0
    for account in ctx.ws.targets:
        met = rule_met(ctx, account.id, ctx.ws.now)
        if met is None:
            continue
        rule, signals = met
        total += 1
        start = signals[0].occurred_at - timedelta(days=rule.window_days)
        ids = {s.id for s in signals}
        if any(h.signal_id in ids or h.sent_at >= start for h in ctx.handoffs_of(account.id)):
            ok += 1
            continue
        findings.append(Finding(
            "blocker" if rule.level == "hot" else "improve", f"{account.name} met the {rule.label} rule ({_what_happened(ctx, signals)}) but has no "
            "handoff: send sales a brief for it.", "account", account.id, account.name))
    return Outcome.of(ok, total, findings, qualified_accounts=total, handed_off=ok)


@RULES.rule("handoffs-are-qualified", module=M_HANDOFF, weight=3)
def handoffs_are_qualified(ctx: Context) -> Outcome:
    """Each handoff met a rule when it was sent, and its qualification level names the level or rule it met."""
    findings, ok = [], 0
    for h in ctx.handoffs:
        met = rule_met(ctx, h.account_id, h.sent_at)
        if met is None:
            before = [s for s in _signals_of(ctx, h.account_id) if h.sent_at - timedelta(days=30) <= s.occurred_at
                      <= h.sent_at]
            why = ("was sent on ad clicks and page views only" if is_light_only(before)
                   else f"did not meet {ctx.source} when it was sent ({_what_happened(ctx, before)})")
            findings.append(_about(ctx, h, "improve", f"{_describe(ctx, h)} {why}: hand sales only qualified "
                                   "signals and keep the rest in nurture."))
            continue
        rule, _ = met
        said = " ".join(meaningful_words(h.qualification_level)).replace("_", " ")
        if LEVEL_WORDS.get(rule.level, rule.level) in said or rule.name.lower() in said:
            ok += 1
        else:
            findings.append(_about(ctx, h, "improve", f"{_describe(ctx, h)} met the {rule.label} rule: say so in "
                                   "its qualification level, so sales knows how hot it is."))
    return Outcome.of(ok, len(ctx.handoffs), findings)


@RULES.rule("account-is-on-the-list", module=M_PLAYBOOK, weight=3)
def account_is_on_the_list(ctx: Context) -> Outcome:
    """The handed-off account is a target with a tier and a reason for selection specific to it."""
    findings, ok, total = [], 0, 0
    for account_id in dict.fromkeys(h.account_id for h in ctx.handoffs):
        account = ctx.ws.account(account_id)
        total += 1
        if account is None:
            findings.append(Finding("improve", f"A handoff names {_account_name(ctx, account_id)}: import the "
                                    "account or correct the handoff.", account_id=account_id))
            continue
        problems = []
        if not account.is_target:
            problems.append("it is not on your target account list: add it with a reason, or stop handing it over")
        if normalise_tier(account.tier) is None:
            problems.append("it has no tier, so sales cannot judge the effort: set 1:1, 1:few or 1:many")
        why = account.why_selected
        if not is_answered(why, 3) or not mentions(why, ctx.facts(account)):
            problems.append("the reason it was selected says nothing specific about it: name its trigger, a figure "
                            "or what you have seen there")
        if problems:
            findings.append(Finding("improve", f"{account.name}: " + "; ".join(problems) + ".", "account",
                                    account.id, account.name))
        else:
            ok += 1
    return Outcome.of(ok, total, findings)


@RULES.rule("contact-and-role", module=M_HANDOFF, weight=1)
def contact_and_role(ctx: Context) -> Outcome:
    """A named contact who works at the account, with a buying role the contact record and title support."""
    findings, ok = [], 0
    for h in ctx.handoffs:
        contact = ctx.ws.contact(h.contact_id)
        if contact is None:
            findings.append(_about(ctx, h, "blocker", f"{_describe(ctx, h)} names no contact we know: name the "
                                   "person who showed the signal, or the best contact in the buying group."))
            continue
        if contact.account_id != h.account_id:
            findings.append(_about(ctx, h, "improve", f"{_describe(ctx, h)}: {contact.name} works at "
                                   f"{_account_name(ctx, contact.account_id)}: hand over a contact at this account."))
            continue
        role = normalise_role(h.contact_role)
        held = normalise_roles(contact.roles)
        problem, severity = None, "improve"
        if role is None:
            problem = f"say which buying role {contact.name} plays (for example finance or technical evaluator)"
        elif held and role not in held:
            problem = (f"it calls {contact.name} {role_label(role)}, but your buying-group map says "
                       f"{', '.join(role_label(r) for r in held)}: correct one of them")
        elif why := role_contradiction(contact.title, role):
            problem, severity = f"{why}: hand over someone who really plays that role, or correct the role", "blocker"
        if problem:
            findings.append(_about(ctx, h, severity, f"{_describe(ctx, h)}: {problem}."))
        else:
            ok += 1
    return Outcome.of(ok, len(ctx.handoffs), findings)


def copied_briefs(ctx: Context, name: str) -> set[int]:
    """Return the ids of handoffs whose text in field `name` is the same answer as another contact's handoff.

    The very same text is grouped first (two handoffs for one contact may share it), so integrity.repeated
    compares each distinct text once.
    """
    by_text: dict[str, list[HandoffSnap]] = {}
    for h in ctx.handoffs:
        text = getattr(h, name)
        if isinstance(text, str) and text.strip():
            by_text.setdefault(text.strip().lower(), []).append(h)
    texts = list(by_text)
    same = repeated(dict(enumerate(texts)),
                    names={i: _account_name(ctx, by_text[t][0].account_id) for i, t in enumerate(texts)})
    return {h.id for i, t in enumerate(texts)
            if i in same or len({(x.account_id, x.contact_id) for x in by_text[t]}) > 1 for h in by_text[t]}


@RULES.rule("brief-is-specific", module=M_HANDOFF, weight=2)
def brief_is_specific(ctx: Context) -> Outcome:
    """Relevance, engagement summary and a follow-up message written for this contact, not copied across briefs."""
    by_id = {h.id: h for h in ctx.handoffs}
    copied: set[int] = set()
    for name in ("buying_group_relevance", "engagement_summary", "recommended_follow_up"):
        copied |= copied_briefs(ctx, name)
    findings, ok = [], 0
    for h in by_id.values():
        account = ctx.ws.account(h.account_id)
        gaps = []
        if not is_answered(h.buying_group_relevance, MIN_CONTEXT_WORDS):
            gaps.append("why this person matters in the buying group and who else is involved")
        if not is_answered(h.engagement_summary, MIN_CONTEXT_WORDS):
            gaps.append("what they and their colleagues did, and when")
        follow_up = h.recommended_follow_up
        if len(words(follow_up)) < MIN_FOLLOW_UP_WORDS or (
                account and not mentions(follow_up, ctx.facts(account))):
            gaps.append(f"a follow-up message of at least {MIN_FOLLOW_UP_WORDS} words that names the account or what "
                        "the contact engaged with")
        if h.id in copied:
            gaps.append("text of its own: the same words appear on other handoffs")
        if gaps:  # a brief copied from another handoff tells sales nothing about this one
            severity = "blocker" if h.id in copied else "improve"
            findings.append(_about(ctx, h, severity, f"{_describe(ctx, h)} needs " + "; ".join(gaps) + "."))
        else:
            ok += 1
    return Outcome.of(ok, len(by_id), findings)


@RULES.rule("owner-and-backup", module=M_PLAYBOOK, weight=1)
def owner_and_backup_named(ctx: Context) -> Outcome:
    """A named seller owns the follow-up, with a different named backup who covers when they are away."""
    findings, ok = [], 0
    for h in ctx.handoffs:
        owner, backup = owner_and_backup(h.sales_owner)
        if problem := owner_problem(owner, ctx.ws):
            findings.append(_about(ctx, h, "blocker", f"{_describe(ctx, h)} has no named owner ({problem}): name "
                                   "the seller who will make the first touch."))
            continue
        backup_problem = "no backup is named" if backup is None else owner_problem(backup, ctx.ws)
        if backup is not None and not backup_problem and backup.lower() == owner.lower():
            backup_problem = "the backup is the owner"
        if backup_problem:
            findings.append(_about(ctx, h, "improve", f"{_describe(ctx, h)}: {backup_problem}. Name who covers when "
                                   f"{owner} is away, e.g. “{owner} (backup: Lin Osei)”."))
        else:
            ok += 1
    return Outcome.of(ok, len(ctx.handoffs), findings)


@RULES.rule("sla-fits-the-rule", module=M_PLAYBOOK, weight=1)
def sla_fits_the_rule(ctx: Context) -> Outcome:
    """The SLA is within 1 to 72 working hours and no longer than the response time of the rule it met."""
    findings, ok = [], 0
    for h in ctx.handoffs:
        hours = float(h.sla_hours) if isinstance(h.sla_hours, int | float) and h.sla_hours > 0 else None
        problem = sla_problem(hours)
        severity = "blocker" if problem else "improve"  # an SLA out of bounds is not a promise sales can keep
        met = rule_met(ctx, h.account_id, h.sent_at)
        if problem is None and met and met[0].response_hours and hours > met[0].response_hours:
            promised = met[0].response_hours
            problem = (f"{hours:g} hours is slower than the {promised:g} hour{'s' * (promised != 1)} the "
                       f"{met[0].label} rule promises")
        if problem:
            findings.append(_about(ctx, h, severity, f"{_describe(ctx, h)}: {problem}. Set the time by which "
                                   "sales must make the first touch."))
        else:
            ok += 1
    return Outcome.of(ok, len(ctx.handoffs), findings)


@RULES.rule("sla-met", module=M_PLAYBOOK, weight=1)
def sla_met(ctx: Context) -> Outcome:
    """Sales made the first touch within the SLA (judged once the SLA has passed or a touch is recorded)."""
    findings, ok, due = [], 0, 0
    for h in ctx.handoffs:
        if not isinstance(h.sla_hours, int | float) or h.sla_hours <= 0:
            continue
        deadline = h.sent_at + timedelta(hours=float(h.sla_hours))
        touched = h.first_touch_at if isinstance(h.first_touch_at, datetime) else None
        if touched is None and ctx.ws.now <= deadline:
            continue
        due += 1
        if touched is not None and touched <= deadline:
            ok += 1
            continue
        state = "has no first touch yet" if touched is None else "was first touched after its SLA"
        findings.append(_about(ctx, h, "improve", f"{_describe(ctx, h)} {state}: agree with the owner how "
                               "handoffs reach them in time, and record the first touch."))
    return Outcome.of(ok, due, findings, sla_due=due, sla_met=ok)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the sales-handoff exercise (no answer of its own: it checks the workspace)."""
    first = []
    if not workspace.accounts:
        first.append(Finding("blocker", "Your workspace has no accounts yet: import your accounts, contacts and "
                             "signals first, then hand your qualified signals to sales.", module=M_HANDOFF))
    ctx = build_context(workspace)
    if workspace.accounts and not ctx.handoffs:
        first.append(Finding("blocker", f"You have no handoffs from the last {QUALIFY_DAYS} days: hand each "
                             "qualified signal to sales as a brief (who, why now, what to say, who owns it and by "
                             "when).", module=M_HANDOFF))
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, first=first,
                          summary={"handoffs": len(ctx.handoffs), "qualified_by": ctx.source})
