"""Check a multi-channel campaign plan as named rules (module 08's pre-launch check, module 05's pilot plan).

Each step has a week, a channel, one named owner and their team, the roles it reaches and what happens. The
rules: target accounts of the campaign's tier; complete steps; steps that each say what happens (not copied);
named owners; three channels or more; sales in from the start; the tier's required roles reached; a steady
cadence; and direct touches that reach real contacts (ads and the website for roles with nobody named).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from lms.abm.coverage import coverage_of_roles, normalise_roles, normalise_tier, required_roles
from lms.abm.integrity import (
    GENERIC,
    credible_roles,
    is_answered,
    meaningful_words,
    owner_problem,
    repeated,
    team_member,
)
from lms.abm.snapshot import AccountSnap, ContactSnap, WorkspaceSnapshot
from lms.abm.vocabulary import BUYING_ROLES, TIERS, role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_number, as_rows, as_text

PASS_MARK = 75
MIN_CHANNELS = 3
MIN_SALES_TOUCHES = 2
SALES_WITHIN_WEEKS = 2  # the first sales touch falls in the campaign's first two weeks (module 05: "from the start")
MAX_TOUCHES_PER_ROLE_WEEK = 3
MAX_QUIET_WEEKS = 3
MIN_SPAN_WEEKS = 4
MAX_WEEK = 26
MIN_ACTION_WORDS = 3

CHANNELS = ("email", "linkedin", "ads", "event", "webinar", "direct_mail", "phone", "sales_meeting",
            "website_personalisation", "content")
TEAMS = ("sales", "sdr", "marketing")
SALES_TEAMS = ("sales", "sdr")
# Module 08: "If a role has no named contact, ads and the website are your only reach."
REACH_WITHOUT_CONTACT = ("ads", "website_personalisation")
BESPOKE_CHANNELS = ("direct_mail", "event")  # module 08: 1:1 and 1:few can justify them; 1:many leans on ads

# Words of job titles, time and planning: every plan uses them, so they say nothing about one account.
_NOT_SITUATION = frozenset({
    "director", "head", "chief", "officer", "manager", "lead", "leader", "executive", "owner", "contact", "meeting",
    "engaged", "year", "years", "month", "week", "weeks", "next", "last", "first", "new", "planning", "plan",
    "hiring", "team", "ltd", "limited", "plc", "inc", "group"})

M_ORCH = "abm-foundations/multi-channel-orchestration"
M_RHYTHM = "abm-foundations/the-operating-rhythm"
M_PILOT = "abm-alignment-programme/piloting-with-a-few-reps"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_CONTACTS = "abm-foundations/building-the-contact-list"

RULES = Rules()


@dataclass(frozen=True)
class Step:
    """One answer row; `week` 0 is the pre-launch briefing, an internal step that touches no account."""

    row: int
    week: int | None
    channel: str | None
    owner: str
    team: str | None  # the owner's team: from the workspace's team when the owner is a member, else as given
    roles: tuple[str, ...]
    action: str

    @property
    def is_touch(self) -> bool:
        return self.week is not None and self.week > 0

    @property
    def is_sales(self) -> bool:
        return self.is_touch and self.team in SALES_TEAMS


@dataclass
class Context:
    ws: WorkspaceSnapshot
    tier: str | None
    accounts: list[AccountSnap]
    steps: list[Step]
    stated_teams: dict[int, str | None]  # row -> the team the learner gave

    @property
    def touches(self) -> list[Step]:
        return [s for s in self.steps if s.is_touch]

    @property
    def weeks(self) -> list[int]:
        return sorted({s.week for s in self.touches})


def _plan(severity: str, message: str, row: int | None = None, module: str = M_ORCH) -> Finding:
    return Finding(severity, message, "answer", row, f"Step {row}" if row else "Plan", module=module)


def _account(severity: str, message: str, a: AccountSnap, module: str = M_ORCH) -> Finding:
    return Finding(severity, message, "account", a.id, a.name, module=module)


def _roles_text(roles, word: str = "and") -> str:
    names = [role_label(r) for r in BUYING_ROLES if r in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} " + names[-1] if names else ""


def situation_words(ws: WorkspaceSnapshot, account: AccountSnap) -> set[str]:
    """Return the words that name an account or its situation: its name, industry, why it was chosen, its
    signal topics and opportunities (not generic words, nor its people's titles)."""
    texts = [account.name, account.industry, account.why_selected, account.icp_reasons]
    texts += [s.topic for s in ws.signals_of(account.id)]
    texts += [o.name for o in ws.opportunities_of(account.id)]
    return {w for t in texts for w in meaningful_words(t) if w not in GENERIC and w not in _NOT_SITUATION and len(w) > 2}


def real_roles(contacts: tuple[ContactSnap, ...]) -> set[str]:
    """Return the roles these contacts credibly hold: at most two per person, none contradicted by the title."""
    return {role for c in contacts for role in credible_roles(c)[0]}


# --- the rules ------------------------------------------------------------------------------------------------


@RULES.rule("target-accounts-of-the-tier", module=M_TIER, weight=1)
def target_accounts_of_the_tier(ctx: Context) -> Outcome:
    """The campaign names its accounts, all on the target list and of the campaign's tier."""
    if not ctx.accounts:
        return Outcome.of(0, 1, [_plan("blocker", "Choose the accounts this campaign targets: add at least one of "
                                       "your target accounts.")])
    findings = []
    for a in ctx.accounts:
        own = normalise_tier(a.tier)
        if not a.is_target:
            findings.append(_account("improve", f"{a.name} is not on your target account list: campaign on target "
                                     "accounts, or add it to the list with sales' agreement.", a, M_TIER))
        elif ctx.tier and own and own != ctx.tier:
            findings.append(_account("improve", f"{a.name} is a {own} account but this is a {ctx.tier} campaign: plan "
                                     "it with accounts of one tier, or change the account's tier.", a, M_TIER))
    return Outcome.of(len(ctx.accounts) - len(findings), len(ctx.accounts), findings)


@RULES.rule("steps-are-complete", module=M_ORCH, weight=1)
def steps_are_complete(ctx: Context) -> Outcome:
    """Every step has a week, a channel, an owner's team, the roles it reaches and a sentence on what happens."""
    findings = []
    for s in ctx.steps:
        missing = [what for what, ok in (
            (f"the week (1 to {MAX_WEEK})", s.week is not None), ("the channel", s.channel is not None),
            ("the owner's team (sales, SDR or marketing)", s.team is not None),
            ("the buying roles it reaches", bool(s.roles) or s.week == 0),
            ("a sentence on what happens", is_answered(s.action, MIN_ACTION_WORDS))) if not ok]
        if missing:
            findings.append(_plan("improve", f"Step {s.row} needs {', '.join(missing)}.", s.row))
    return Outcome.of(len(ctx.steps) - len(findings), len(ctx.steps), findings)


@RULES.rule("each-step-says-what-happens", module=M_ORCH, weight=2)
def each_step_says_what_happens(ctx: Context) -> Outcome:
    """No step copies another's action; in a 1:1 campaign the steps name the account or its situation."""
    copies = repeated({s.row: s.action for s in ctx.steps if is_answered(s.action, MIN_ACTION_WORDS)})
    findings = [_plan("blocker", f"Step {row} says the same as step {others[0]}: say what is different about this "
                      "touch (who gets what, and why now).", row) for row, others in sorted(copies.items())]
    met, total = len(ctx.steps) - len(copies), len(ctx.steps)
    if ctx.tier == "1:1":
        for a in ctx.accounts:
            total += 1
            facts = situation_words(ctx.ws, a)
            if any(facts & set(meaningful_words(s.action)) for s in ctx.steps):
                met += 1
            else:
                findings.append(_account("improve", f"No step of this 1:1 plan mentions {a.name} or its situation: a "
                                         "1:1 plan is bespoke, so say what each touch does for this account.", a))
    return Outcome.of(met, total, findings)


@RULES.rule("named-owners", module=M_ORCH, weight=2)
def named_owners(ctx: Context) -> Outcome:
    """Each step has one named owner (module 08: "a team name cannot be chased when a step slips")."""
    findings = []
    for s in ctx.steps:
        problem = owner_problem(s.owner, ctx.ws)
        if problem:
            findings.append(_plan("blocker", f"Step {s.row}: {problem}. Name the one person who does it, so it "
                                  "can be chased when it slips.", s.row))
        elif ctx.stated_teams.get(s.row) and s.team != ctx.stated_teams[s.row]:
            findings.append(_plan("improve", f"Step {s.row}: {s.owner} works in {s.team}, not "
                                  f"{ctx.stated_teams[s.row]}: the plan counts the step as a {s.team} step.", s.row))
    blockers = sum(1 for f in findings if f.severity == "blocker")
    return Outcome.of(len(ctx.steps) - blockers, len(ctx.steps), findings)


@RULES.rule("three-channels", module=M_ORCH, weight=2)
def three_channels(ctx: Context) -> Outcome:
    """At least three channels, matched to the tier."""
    channels = sorted({s.channel for s in ctx.touches if s.channel})
    findings = []
    if len(channels) < MIN_CHANNELS:
        findings.append(_plan("improve", f"Your plan uses {len(channels)} channel(s) "
                              f"({', '.join(c.replace('_', ' ') for c in channels) or 'none'}): use at least {MIN_CHANNELS}, such as LinkedIn, a "
                              "webinar and a sales call, so the account meets you in more than one place."))
    bespoke = sorted({s.channel for s in ctx.touches if s.channel in BESPOKE_CHANNELS})
    if ctx.tier == "1:many" and bespoke:
        findings.append(_plan("improve", f"A 1:many programme leans on ads, email and the website: "
                              f"{' and '.join(c.replace('_', ' ') for c in bespoke)} are for 1:1 and 1:few accounts."))
    return Outcome.of(min(len(channels), MIN_CHANNELS), MIN_CHANNELS, findings, channels=channels)


@RULES.rule("sales-from-the-start", module=M_PILOT, weight=3)
def sales_from_the_start(ctx: Context) -> Outcome:
    """At least two steps owned by sales or an SDR, the first within the campaign's first two weeks."""
    sales = sorted((s for s in ctx.touches if s.is_sales), key=lambda s: s.week)
    if not sales:
        return Outcome.of(0, 2, [_plan("blocker", "Your plan has no sales touch: add steps owned by a named "
                                       "salesperson or SDR (a call, a meeting, a personal note) from the first weeks, "
                                       "so marketing's touches turn into conversations.", module=M_PILOT)])
    findings, met = [], 1
    latest = ctx.weeks[0] + SALES_WITHIN_WEEKS - 1
    halfway = ctx.weeks[0] + (ctx.weeks[-1] - ctx.weeks[0]) / 2
    if sales[0].week > max(latest, halfway):
        met = 0
        findings.append(_plan("blocker", f"Sales first appears in week {sales[0].week}, in the second half of a campaign "
                              f"that runs weeks {ctx.weeks[0]}-{ctx.weeks[-1]}: engagement with no sales follow-up is "
                              f"how ABM stalls. Bring a sales touch in by week {latest}.", sales[0].row, M_PILOT))
    elif sales[0].week > latest:
        findings.append(_plan("improve", f"Sales first appears in week {sales[0].week}: bring a sales touch in by week "
                              f"{latest} (for example the account executive's personal note after the first email), "
                              "so sales is in from the start, not only at the end.", sales[0].row, M_PILOT))
    else:
        met += 0.5
    if len(sales) < MIN_SALES_TOUCHES:
        findings.append(_plan("improve", f"Your plan has one sales touch: plan at least {MIN_SALES_TOUCHES}, so sales "
                              "follows up what the accounts engage with.", sales[0].row, M_PILOT))
    else:
        met += 0.5
    return Outcome.of(met, 2, findings, first_sales_week=sales[0].week, sales_touches=len(sales))


@RULES.rule("reaches-the-required-roles", module=M_ROLES, weight=4)
def reaches_the_required_roles(ctx: Context) -> Outcome:
    """Every role the tier (or the account) requires is reached by at least one step."""
    reached = {r for s in ctx.touches for r in s.roles}
    findings, ratios = [], []
    for a in ctx.accounts:
        detail = coverage_of_roles(reached, required_roles(a, tier=ctx.tier))
        ratios.append(detail.ratio)
        gaps = [_roles_text(detail.missing_must)] if detail.missing_must else []
        if detail.pool_missing:
            gaps.append(f"any {detail.pool_missing} more of {_roles_text(detail.pool_unfilled, 'or')}")
        if gaps:
            findings.append(_account("improve", f"At {a.name}, no step reaches {' and '.join(gaps)}: add steps that "
                                     "reach them, so no required role is left untouched.", a, M_ROLES))
    return Outcome.of(sum(ratios), len(ratios), findings, roles_reached=[r for r in BUYING_ROLES if r in reached])


@RULES.rule("steady-cadence", module=M_ORCH, weight=2)
def steady_cadence(ctx: Context) -> Outcome:
    """No more than 3 touches to one role in a week, no more than 3 quiet weeks, over at least 4 weeks."""
    weeks, findings = ctx.weeks, []
    load = Counter((s.week, r) for s in ctx.touches for r in s.roles)
    for (week, role), n in sorted(load.items()):
        if n > MAX_TOUCHES_PER_ROLE_WEEK:
            findings.append(_plan("improve", f"Week {week} has {n} touches to the {role_label(role)}: keep it to "
                                  f"{MAX_TOUCHES_PER_ROLE_WEEK} a week and move the rest.", module=M_ORCH))
    overloaded = bool(findings)
    gaps = [(a, b) for a, b in zip(weeks, weeks[1:], strict=False) if b - a - 1 > MAX_QUIET_WEEKS]
    findings += [_plan("improve", f"Nothing happens in weeks {a + 1}-{b - 1}: keep quiet spells to {MAX_QUIET_WEEKS} "
                       "weeks at most so the accounts do not go cold.", module=M_ORCH) for a, b in gaps]
    span = weeks[-1] - weeks[0] + 1 if weeks else 0
    if weeks and span < MIN_SPAN_WEEKS:
        findings.append(_plan("blocker", f"Your plan spans {span} week(s): that is a blast, not a campaign. Spread it "
                              f"over at least {MIN_SPAN_WEEKS} weeks so each touch builds on the one before.",
                              module=M_ORCH))
    met = (not overloaded) + (bool(weeks) and not gaps) + (span >= MIN_SPAN_WEEKS)
    return Outcome.of(met, 3, findings, weeks=[weeks[0], weeks[-1]] if weeks else None)


@RULES.rule("direct-touches-reach-real-contacts", module=M_ROLES, weight=3)
def direct_touches_reach_real_contacts(ctx: Context) -> Outcome:
    """At each account, every role the plan targets has a real contact, or is reached by ads or the website."""
    findings, met, total = [], 0, 0
    for a in ctx.accounts:
        held = real_roles(ctx.ws.contacts_of(a.id))
        direct = {r for s in ctx.touches if s.channel not in REACH_WITHOUT_CONTACT for r in s.roles}
        broad = {r for s in ctx.touches if s.channel in REACH_WITHOUT_CONTACT for r in s.roles}
        nobody = direct - held
        total += len(direct | broad)
        met += len(direct & held) + len(broad - direct)  # ads and the website reach a role without a contact
        if nobody:
            findings.append(_account("improve", f"{a.name} has no believable {_roles_text(nobody, 'or')} contact, so "
                                     f"your direct touches to {'that role' if len(nobody) == 1 else 'those roles'} "
                                     "reach nobody there: add the person to your contact list, and until then reach "
                                     f"the role with account-targeted ads or the website.", a, M_CONTACTS))
    return Outcome.of(met, total, findings)


# --- the check ------------------------------------------------------------------------------------------------


def _week(value: object) -> int | None:
    week = as_number(value)
    return int(week) if week is not None and week.is_integer() and 0 <= week <= MAX_WEEK else None


def read_step(row: int, raw: Mapping, ws: WorkspaceSnapshot) -> tuple[Step, str | None]:
    """Return the step in one answer row and the owner's team as the learner gave it."""
    owner = as_text(raw.get("owner"))
    stated = raw.get("owner_team") if raw.get("owner_team") in TEAMS else None
    member = team_member(owner, ws.team) if owner else None
    function = member.job_function if member else None
    team = stated  # a member of the team works in their own function, whatever the row says
    if function == "sales" and stated not in SALES_TEAMS:
        team = "sales"
    elif function == "marketing":
        team = "marketing"
    channel = raw.get("channel") if raw.get("channel") in CHANNELS else None
    return Step(row, _week(raw.get("week")), channel, owner, team, normalise_roles(raw.get("roles")),
                as_text(raw.get("action"))), stated


def build_context(ws: WorkspaceSnapshot, answer: object) -> Context:
    """Return the tier, the chosen accounts and the steps of the plan (unreadable rows are left out)."""
    answer = answer if isinstance(answer, Mapping) else {}
    accounts: dict[int, AccountSnap] = {}
    for raw in as_rows(answer.get("accounts")) or []:
        account = ws.account(as_id(raw.get("account") if isinstance(raw, Mapping) else raw))
        if account is not None:
            accounts.setdefault(account.id, account)
    steps, stated = [], {}
    for row, raw in enumerate(as_rows(answer.get("steps")) or [], start=1):
        if isinstance(raw, Mapping):
            step, stated[row] = read_step(row, raw, ws)
            steps.append(step)
    tier = normalise_tier(answer.get("tier"))
    if tier is None:
        tiers = Counter(t for a in accounts.values() if (t := normalise_tier(a.tier)))
        tier = tiers.most_common(1)[0][0] if tiers else None
    return Context(ws, tier, list(accounts.values()), steps, stated)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of running the campaign-plan RULES on the learner's plan."""
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts and "
                                         "contacts first, then plan a campaign for some of them.", module=M_ORCH),),
                      {"steps": 0, "accounts": 0})
    ctx = build_context(workspace, answer)
    first = []
    if normalise_tier(answer.get("tier") if isinstance(answer, Mapping) else None) is None:
        first.append(_plan("improve", "Choose the tier this campaign is for (1:1, 1:few or 1:many)"
                           + (f"; the check assumes {ctx.tier}, the tier of most of your accounts." if ctx.tier else "."),
                           module=M_TIER))
    if not ctx.steps:
        first.append(_plan("blocker", "Your plan has no steps yet: add the touches week by week, each with its "
                           "channel, named owner, roles and what happens."))
        return Result(0, False, tuple(first), {"steps": 0, "accounts": len(ctx.accounts)})
    summary = {"tier": ctx.tier if ctx.tier in TIERS else None, "accounts": len(ctx.accounts), "steps": len(ctx.steps)}
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, first=first, summary=summary)
