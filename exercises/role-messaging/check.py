"""Check role-specific messages as named rules: one per mapped role at each chosen account, each its own message.

Module 07's three rules for every message: name the account and its situation, make each role's message
distinct, fit the channel; plus its table of what each role needs to hear and "use only proof you can back up".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from lms.abm.coverage import normalise_role
from lms.abm.integrity import (
    GENERIC,
    credible_roles,
    meaningful_words,
    repeated,
)
from lms.abm.matching import normalise_company_name
from lms.abm.snapshot import AccountSnap, WorkspaceSnapshot
from lms.abm.vocabulary import BUYING_ROLES, role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_rows, as_text

PASS_MARK = 75
MIN_ACCOUNTS = 2
MIN_ROLES = 3
CONTAINED = 90  # token-set similarity at which one message at an account is another with a sentence added

M_MESSAGING = "abm-foundations/role-specific-messaging"
M_PLAYBOOK = "abm-alignment-programme/team-playbooks-and-handoffs"
M_ROLES = "abm-foundations/buying-groups-and-roles"

# (unit, minimum, maximum, what it is): module 07's "fit the channel".
LENGTHS = {
    "linkedin": ("characters", 1, 300, "a LinkedIn connection note"),
    "ad": ("characters", 1, 150, "an ad"),
    "email": ("words", 50, 200, "an email"),
    "phone_script": ("words", 1, 80, "a phone opener"),
    "direct_mail": ("words", 1, 250, "a direct-mail piece"),
    "event_invitation": ("words", 1, 150, "an event invitation"),
}
# Module 07: a blocker is answered directly, "usually in conversation"; avoid mass channels.
MASS_CHANNELS = ("ad", "direct_mail")

# Module 07's table, "your message should show": word stems (matched at the start of a word) and phrases.
ROLE_CONCERNS: dict[str, str] = {
    "finance": "cost budget return roi payback spend risk saving save margin cash invest tco financ profit forecast "
               "capex opex phas",
    "technical_evaluator": "integrat security secure api architect data platform system implement sso infrastructure "
                           "technical deploy migrat uptime encrypt scalab stack",
    "procurement": "terms contract supplier vendor complian pricing price procure tender rfp sla due_diligence licen "
                   "framework purchas onboarding commercial documentation",
    "senior_decision_maker": "strateg growth grow revenue board competit market_share priorit vision transform "
                             "outcome objective goal expan profit leadership shareholder",
    "functional_owner": "team process target productiv efficien kpi performance resourc capacity headcount operation "
                        "throughput result service_level output rollout",
    "user": "day_to_day daily time easier easy workflow manual hours task simple tool admin frustrat spreadsheet click "
            "routine screen",
    "influencer": "recommend perspective expert insight best_practice peer advice advis opinion research evidence "
                  "benchmark trend view experience",
    "champion": "internal_case make_the_case business_case help_you support_you stakeholder present sell_internally "
                "summary together slides toolkit your_case colleagues buy_in forward objection",
    "blocker": "concern risk worr reservation objection disrupt current existing incumbent transition question "
               "address de_risk reassur safeguard pilot",
}
CONCERN_EXAMPLES = {
    "finance": "cost, budget, payback, risk", "technical_evaluator": "integration, security, data",
    "procurement": "terms, contract, compliance", "senior_decision_maker": "strategy, growth, competitive position",
    "functional_owner": "the team, process, targets", "user": "time saved, an easier workflow",
    "influencer": "evidence, best practice, what peers do", "champion": "material to make the internal case",
    "blocker": "their concerns and how you will address them",
}
_CONCERNS = {role: re.compile("|".join(r"\b" + re.escape(w).replace("_", r"\s+") for w in words.split()))
             for role, words in ROLE_CONCERNS.items()}
_PLACEHOLDERS = re.compile(
    r"\[[^\]\n]{1,40}\]|\{\{[^}\n]{0,40}\}\}|\{[A-Za-z_][A-Za-z_ .]{0,30}\}|%[A-Z][A-Z_]{1,30}%"
    r"|<(?:first[ _]?name|last[ _]?name|name|company|company[ _]?name|account|title|role)>"
    r"|\b[Xx]{3,}\b|\blorem\b|\b(?:TBD|TBC|TODO)\b|\binsert\s+[\w ]{1,30}?\s+here\b", re.IGNORECASE)
# Words of job titles and of time: they say nothing about the account's situation.
_TITLE_WORDS = frozenset({
    "director", "head", "chief", "officer", "manager", "lead", "leader", "vp", "president", "executive", "partner",
    "owner", "contact", "contacts", "meeting", "meetings", "engaged", "year", "years", "month", "months", "week",
    "weeks", "next", "last", "first", "new"})
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|per\s*cent\b)", re.IGNORECASE)
_SOURCE = re.compile(r"\b(?:customer|client|case|study|survey|report|benchmark|your own|your figures|your data|"
                     r"your volumes|based on|according|measured|audit|reference)", re.IGNORECASE)

RULES = Rules()


@dataclass(frozen=True)
class Message:
    """One usable answer row."""

    row: int
    account: AccountSnap
    role: str
    channel: str | None
    subject: str
    text: str

    @property
    def label(self) -> str:
        return f"Message {self.row} ({role_label(self.role)} at {self.account.name})"


@dataclass
class Context:
    ws: WorkspaceSnapshot
    messages: list[Message]
    incomplete: list[Finding]  # rows that cannot be judged, one finding each
    copies: dict[int, list[int]]  # row -> the other rows it repeats
    mapped: dict[int, set[str]]  # account id -> roles its contacts credibly hold
    situation: dict[int, set[str]]  # account id -> words of its situation

    @property
    def accounts(self) -> list[AccountSnap]:
        return list({m.account.id: m.account for m in self.messages}.values())


def _finding(severity: str, message: str, m: Message, module: str = M_MESSAGING) -> Finding:
    return Finding(severity, message, "answer", m.row, m.label, module=module, account_id=m.account.id,
                   account=m.account.name)


def _account_finding(severity: str, message: str, a: AccountSnap, module: str = M_MESSAGING) -> Finding:
    return Finding(severity, message, "account", a.id, a.name, module=module)


def fold(text: str) -> str:
    """Lower-case, accent-fold, '&' -> 'and', punctuation -> space: ' harbourline logistics '."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower().replace("&", " and ")).split()) + " "


def names_account(text: str, account: AccountSnap) -> bool:
    """True when `text` names the account (its full name, or its name without the legal suffix)."""
    variants = {fold(account.name), fold(normalise_company_name(account.name) or "")}
    folded = fold(text)
    return any(v.strip() and v in folded for v in variants)


def situation_words(ws: WorkspaceSnapshot, account: AccountSnap) -> set[str]:
    """Return words of the account's situation: its industry, figures, why it was chosen, its signal topics and
    opportunities. Its name, its people's titles and the roles' concern words do not count."""
    texts = [account.industry, account.why_selected, account.icp_reasons, account.progress_definition]
    texts += [s.topic for s in ws.signals_of(account.id)]
    texts += [o.name for o in ws.opportunities_of(account.id)]
    name = set(fold(account.name).split()) | set(fold(normalise_company_name(account.name) or "").split())
    found = {w for t in texts if t for w in meaningful_words(fold(t))
             if w not in GENERIC and w not in name and w not in _TITLE_WORDS and len(w) > 2}
    found |= {str(int(n)) for n in (account.employees, account.revenue) if n}
    return {w for w in found if not any(p.match(w) for p in _CONCERNS.values())}


credible = credible_roles  # the roles a contact credibly holds, and why any were dropped


# --- the rules ------------------------------------------------------------------------------------------------


@RULES.rule("at-least-two-accounts", module=M_MESSAGING, weight=0)
def at_least_two_accounts(ctx: Context) -> Outcome:
    """Messages that reach real contacts (a believable holder of the role) at two accounts or more."""
    reached = [a for a in ctx.accounts if ctx.mapped.get(a.id, set()) & {m.role for m in ctx.messages
                                                                           if m.account.id == a.id}]
    if len(reached) >= MIN_ACCOUNTS:
        return Outcome(None)
    have = ", ".join(a.name for a in reached) or "none"
    return Outcome(None, (Finding("blocker", f"Your messages reach real people at {len(reached)} account(s) ({have}): "
                                  f"write for the mapped contacts of at least {MIN_ACCOUNTS} accounts.", "answer",
                                  module=M_MESSAGING),))


@RULES.rule("rows-are-complete", module=M_MESSAGING, weight=1)
def rows_are_complete(ctx: Context) -> Outcome:
    """Every row names an account, a role, a channel and has a message."""
    total = len(ctx.messages) + len(ctx.incomplete)
    met = sum(1 for m in ctx.messages if m.channel)
    findings = list(ctx.incomplete) + [_finding("improve", f"{m.label} has no channel: choose the one you would "
                                                "really use, from email to an event invitation.", m)
                                       for m in ctx.messages if not m.channel]
    return Outcome.of(met, total, findings)


@RULES.rule("no-placeholders", module=M_MESSAGING, weight=0)
def no_placeholders(ctx: Context) -> Outcome:
    """Nothing goes out with [First name], {{company}}, XXX or Lorem ipsum left in."""
    findings = []
    for m in ctx.messages:
        match = _PLACEHOLDERS.search(m.subject + "\n" + m.text)
        if match:
            findings.append(_finding("blocker", f"{m.label} still contains the placeholder '{match.group(0)}': replace "
                                     "it with the real name or detail.", m))
    return Outcome(None, tuple(findings))


@RULES.rule("written-for-its-account-and-role", module=M_MESSAGING, weight=4)
def written_for_its_account_and_role(ctx: Context) -> Outcome:
    """A message copied to another account with the name swapped, or sent to two roles, is not an answer."""
    by_row = {m.row: m for m in ctx.messages}
    findings = []
    for m in ctx.messages:
        others = [by_row[o] for o in ctx.copies.get(m.row, ())]
        if not others:
            continue
        where = ", ".join(f"message {o.row} ({role_label(o.role)} at {o.account.name})" for o in others[:3])
        findings.append(_finding("blocker", f"{m.label} is the same message as {where}: a name merged into one text is "
                                 f"not account-based. Rewrite it around {m.account.name}'s situation and what the "
                                 f"{role_label(m.role)} cares about.", m))
    return Outcome.of(len(ctx.messages) - len(findings), len(ctx.messages), findings)


@RULES.rule("names-the-account-and-its-situation", module=M_MESSAGING, weight=3)
def names_the_account_and_its_situation(ctx: Context) -> Outcome:
    """Each message names its account and something true and specific about it (module 07, rule 1)."""
    findings, met, grounded = [], 0.0, {}
    for m in ctx.messages:
        text, named = m.subject + " " + m.text, names_account(m.subject + " " + m.text, m.account)
        situated = bool(ctx.situation[m.account.id] & set(meaningful_words(fold(text))))
        grounded[m.account.id] = grounded.get(m.account.id, False) or situated
        met += (named + situated) / 2
        if not named:
            findings.append(_finding("improve", f"{m.label} does not name {m.account.name}: name the account so it "
                                     "reads as written for them.", m))
        elif not situated:
            findings.append(_finding("improve", f"{m.label} names {m.account.name} but nothing of its situation: refer "
                                     "to something true about it, such as its industry, an expansion, a system it is "
                                     "replacing or a topic its people engaged with.", m))
    for a in ctx.accounts:
        if not grounded[a.id]:
            findings.append(_account_finding("blocker", f"None of your messages to {a.name} mentions its situation, only "
                                             "its name: that is a segment message with the name merged in. Say what "
                                             f"is happening at {a.name} in at least one of them.", a))
    return Outcome.of(met, len(ctx.messages), findings)


@RULES.rule("speaks-to-the-role", module=M_MESSAGING, weight=2)
def speaks_to_the_role(ctx: Context) -> Outcome:
    """Each message leads with what its role cares about; a blocker is answered directly, not by an ad or mailing."""
    findings, met = [], 0
    for m in ctx.messages:
        if not _CONCERNS[m.role].search(fold(m.subject + " " + m.text)):
            findings.append(_finding("improve", f"{m.label} does not speak to what the {role_label(m.role)} cares "
                                     f"about: tie your point to {CONCERN_EXAMPLES[m.role]}.", m))
        elif m.role == "blocker" and m.channel in MASS_CHANNELS:
            findings.append(_finding("improve", f"{m.label} answers a blocker through {m.channel.replace('_', ' ')}: "
                                     "a blocker is best answered directly, by the sales owner in a call.", m))
        else:
            met += 1
    return Outcome.of(met, len(ctx.messages), findings)


def channel_problem(m: Message) -> str | None:
    """Return why a message does not fit its channel (length, an email's subject, a phone opener's question)."""
    unit, low, high, what = LENGTHS[m.channel]
    size = len(m.text) if unit == "characters" else len(m.text.split())
    if size > high:
        return f"is {size} {unit} long; {what} should be at most {high} {unit}: cut it down"
    if size < low:
        return f"is only {size} {unit}; {what} needs at least {low} {unit} to make its case"
    if m.channel == "email" and not m.subject:
        return "has no subject line: give the email a subject that names the account's situation"
    if m.channel == "phone_script" and "?" not in m.text:
        return "asks no question: a phone opener is one sentence tied to the account and role, then a question"
    return None


@RULES.rule("fits-the-channel", module=M_MESSAGING, weight=2)
def fits_the_channel(ctx: Context) -> Outcome:
    """Each message fits its channel's length and form (module 07, rule 3)."""
    judged = [m for m in ctx.messages if m.channel]
    findings = [_finding("improve", f"{m.label} {problem}.", m) for m in judged if (problem := channel_problem(m))]
    return Outcome.of(len(judged) - len(findings), len(judged), findings)


@RULES.rule("proof-you-can-back-up", module=M_MESSAGING, weight=1)
def proof_you_can_back_up(ctx: Context) -> Outcome:
    """A percentage claim says where it comes from: a customer, a case, or the account's own figures."""
    claims = [m for m in ctx.messages if _PERCENT.search(m.text)]
    findings = [_finding("improve", f"{m.label} claims '{_PERCENT.search(m.text).group(0)}' without saying where it "
                         "comes from: name the customer or case, or offer to work it out on their own figures. An "
                         "invented percentage undermines trust faster than no figure.", m)
                for m in claims if not _SOURCE.search(m.text)]
    return Outcome.of(len(claims) - len(findings), len(claims), findings)


@RULES.rule("covers-the-mapped-roles", module=M_PLAYBOOK, weight=6)
def covers_the_mapped_roles(ctx: Context) -> Outcome:
    """At each account, a message for every role its contacts credibly hold, and at least three roles."""
    findings, shares = [], []
    for a in ctx.accounts:
        mapped = ctx.mapped.get(a.id, set())
        messaged = {m.role for m in ctx.messages if m.account.id == a.id}
        shares.append(min(1.0, len(messaged & mapped) / max(MIN_ROLES, len(mapped))))
        missing = [role_label(r) for r in BUYING_ROLES if r in mapped - messaged]
        if missing:
            findings.append(_account_finding("improve", f"{a.name} has contacts you have not written for: "
                                             f"{', '.join(missing)}. Write each of them a message.", a, M_PLAYBOOK))
        if len(mapped) < MIN_ROLES:
            findings.append(_account_finding("improve", f"{a.name} has contacts in only {len(mapped)} believable "
                                             f"buying role(s): map at least {MIN_ROLES} so your messages reach real "
                                             "people.", a, M_ROLES))
        for role in [r for r in BUYING_ROLES if r in messaged - mapped]:
            m = next(m for m in ctx.messages if m.account.id == a.id and m.role == role)
            findings.append(_finding("improve", f"{m.label}: {a.name} has no {role_label(role)} contact, so nobody "
                                     "receives it. Add the person, or write for a role you have mapped.", m, M_ROLES))
    shares += [0.0] * max(0, MIN_ACCOUNTS - len(shares))
    return Outcome.of(sum(shares), len(shares), findings)


@RULES.rule("believable-buying-group", module=M_ROLES, weight=1)
def believable_buying_group(ctx: Context) -> Outcome:
    """The contacts you write to hold at most two roles each, none contradicted by their job title."""
    findings, judged = [], 0
    for a in ctx.accounts:
        for c in ctx.ws.contacts_of(a.id):
            if not c.roles:
                continue
            judged += 1
            why = credible(c)[1]
            if why:
                findings.append(Finding("improve", f"{c.name} at {a.name}: {why}. Fix their roles in the buying-group "
                                        "map; until then that role does not count.", "contact", c.id, c.name,
                                        module=M_ROLES, account_id=a.id, account=a.name))
    return Outcome.of(judged - len(findings), judged, findings)


# --- the check ------------------------------------------------------------------------------------------------


def _incomplete(row: int, item: object, ws: WorkspaceSnapshot) -> str | None:
    if not isinstance(item, Mapping):
        return f"Message {row} is empty: fill it in or delete the row."
    if ws.account(as_id(item.get("account"))) is None:
        return f"Message {row} has no account of yours: choose the account it is written for."
    if normalise_role(item.get("role")) is None:
        return f"Message {row} has no buying role: choose the role it is written for."
    if not as_text(item.get("message")):
        return f"Message {row} has no text: write the message or delete the row."
    return None


def near_copies(messages: list[Message]) -> dict[int, list[int]]:
    """Return {row: other rows} for messages at one account that are another message with a little added (module 07:
    "if two messages would work equally well for either role, rewrite one"). `repeated` misses these, since a
    copy with an extra sentence is no longer the same text; the shorter must have half the longer's words."""
    found: dict[int, list[int]] = {}
    texts = {m.row: utils.default_process(m.text) for m in messages}
    for i, a in enumerate(messages):
        for b in messages[i + 1:]:
            sizes = sorted((len(texts[a.row].split()), len(texts[b.row].split())))
            if a.account.id != b.account.id or sizes[0] * 2 < sizes[1]:
                continue
            if fuzz.token_set_ratio(texts[a.row], texts[b.row], score_cutoff=CONTAINED):
                found.setdefault(a.row, []).append(b.row)
                found.setdefault(b.row, []).append(a.row)
    return found


def build_context(ws: WorkspaceSnapshot, answer: object) -> Context:
    """Return the messages, the rows that cannot be judged, the copies and each account's credible roles."""
    rows = as_rows(answer.get("messages")) if isinstance(answer, Mapping) else None
    messages, incomplete = [], []
    for row, item in enumerate(rows or [], start=1):
        problem = _incomplete(row, item, ws)
        if problem:
            incomplete.append(Finding("improve", problem, "answer", row, f"Message {row}", module=M_MESSAGING))
            continue
        channel = item.get("channel") if item.get("channel") in LENGTHS else None
        messages.append(Message(row, ws.account(as_id(item["account"])), normalise_role(item["role"]), channel,
                                as_text(item.get("subject")), as_text(item.get("message"))))
    copies = repeated({m.row: m.text for m in messages}, names={m.row: m.account.name for m in messages})
    for row, others in near_copies(messages).items():
        copies[row] = sorted(set(copies.get(row, [])) | set(others))
    chosen = {m.account.id: m.account for m in messages}
    mapped = {a: {r for c in ws.contacts_of(a) for r in credible(c)[0]} for a in chosen}
    situation = {a: situation_words(ws, account) for a, account in chosen.items()}
    return Context(ws, messages, incomplete, copies, mapped, situation)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of running the role-messaging RULES on the learner's messages."""
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts and "
                                         "contacts first, then write messages for their buying groups.",
                                         module=M_MESSAGING),), {"messages": 0})
    ctx = build_context(workspace, answer)
    if not ctx.messages:
        first = [Finding("blocker", f"You have not written any messages yet: choose at least {MIN_ACCOUNTS} accounts and "
                         f"write for each role in their buying group (at least {MIN_ROLES} per account).", "answer",
                         module=M_MESSAGING)]
        return Result(0, False, tuple(first + ctx.incomplete), {"messages": len(ctx.incomplete)})
    summary = {"messages": len(ctx.messages) + len(ctx.incomplete), "accounts": len(ctx.accounts),
               "copied": len(ctx.copies)}
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, summary=summary)
