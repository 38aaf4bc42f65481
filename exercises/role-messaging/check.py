"""Check role-specific messages: one per mapped role at each chosen account, each written for that role.

Coverage: at least MIN_ACCOUNTS accounts, and at each a message for every mapped role (the roles of the
account's contacts), at least MIN_ROLES roles. Per message: it names the account (its name, or its name
without the legal suffix), uses at least one word from its role's concern lexicon, fits its channel's length,
is not a near-duplicate of a message to another role at the same account (rapidfuzz token_set_ratio >=
NEAR_DUPLICATE; two messages are only compared when the shorter has at least half the words of the longer, since
token_set_ratio scores a short ad contained in a long email as 100), and has no placeholder left in (a blocker).

Score = 40% coverage + 60% message quality (the share of the four message checks passed, per message).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, utils

from lms.abm.coverage import normalise_role, normalise_roles
from lms.abm.matching import normalise_company_name
from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import BUYING_ROLES, role_label
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_id, as_rows, as_text

PASS_MARK = 75
MIN_ACCOUNTS = 2
MIN_ROLES = 3
NEAR_DUPLICATE = 85  # token_set_ratio at or above this is a near-duplicate
# Near-duplicate check: rows compared per account, a guard against huge answers.
MAX_COMPARED_PER_ACCOUNT = 200
COVERAGE_WEIGHT = 0.4

M_MESSAGING = "abm-foundations/role-specific-messaging"
M_PLAYBOOK = "abm-alignment-programme/team-playbooks-and-handoffs"
M_ROLES = "abm-foundations/buying-groups-and-roles"

CHANNELS = ("email", "linkedin", "phone_script", "ad", "direct_mail")
# (unit, minimum, maximum): characters or words.
LENGTHS = {
    "linkedin": ("characters", 1, 300),
    "ad": ("characters", 1, 150),
    "email": ("words", 50, 200),
    "phone_script": ("words", 1, 150),
    "direct_mail": ("words", 1, 250),
}
CHANNEL_LABELS = {
    "linkedin": "a LinkedIn connection note",
    "ad": "an ad",
    "email": "an email",
    "phone_script": "a phone script",
    "direct_mail": "a direct-mail piece",
}

# How the brief and findings describe each role's concerns.
CONCERN_EXAMPLES = {
    "finance": "cost, budget, ROI, payback, risk",
    "technical_evaluator": "integration, security, APIs, architecture, data",
    "procurement": "terms, contract, supplier, compliance, pricing",
    "senior_decision_maker": "strategy, growth, revenue, the board, competitive position",
    "functional_owner": "the team, process, targets, productivity",
    "user": "time in the day, an easier workflow, less manual work",
    "influencer": "evidence, expert insight, best practice, what peers do",
    "champion": "helping them make the internal case, material for their stakeholders",
    "blocker": "their concerns, the risk of change and how you will address it",
}

# What each role cares about: word stems (matched at the start of a word) and phrases.
ROLE_CONCERNS: dict[str, tuple[str, ...]] = {
    "finance": (
        "cost",
        "budget",
        "return",
        "roi",
        "payback",
        "spend",
        "risk",
        "saving",
        "save",
        "margin",
        "cash",
        "invest",
        "tco",
        "total cost",
        "financ",
        "profit",
        "value for money",
        "forecast",
        "capex",
        "opex",
    ),
    "technical_evaluator": (
        "integrat",
        "security",
        "secure",
        "api",
        "architect",
        "data",
        "platform",
        "system",
        "implement",
        "sso",
        "infrastructure",
        "technical",
        "deploy",
        "migrat",
        "uptime",
        "encrypt",
        "scalab",
        "stack",
    ),
    "procurement": (
        "terms",
        "contract",
        "supplier",
        "vendor",
        "complian",
        "pricing",
        "price",
        "procure",
        "tender",
        "rfp",
        "sla",
        "due diligence",
        "licen",
        "framework",
        "purchas",
        "onboarding",
        "commercial",
    ),
    "senior_decision_maker": (
        "strateg",
        "growth",
        "grow",
        "revenue",
        "board",
        "competit",
        "market share",
        "priorit",
        "vision",
        "transform",
        "outcome",
        "objective",
        "goal",
        "expan",
        "profit",
        "leadership",
        "shareholder",
    ),
    "functional_owner": (
        "team",
        "process",
        "target",
        "productiv",
        "efficien",
        "kpi",
        "performance",
        "resourc",
        "capacity",
        "headcount",
        "operation",
        "throughput",
        "result",
        "service level",
        "output",
    ),
    "user": (
        "day-to-day",
        "day to day",
        "daily",
        "time",
        "easier",
        "easy",
        "workflow",
        "manual",
        "hours",
        "task",
        "simple",
        "tool",
        "admin",
        "frustrat",
        "spreadsheet",
        "click",
        "routine",
    ),
    "influencer": (
        "recommend",
        "perspective",
        "expert",
        "insight",
        "best practice",
        "peer",
        "advice",
        "advis",
        "opinion",
        "research",
        "evidence",
        "benchmark",
        "trend",
        "view",
        "experience",
    ),
    "champion": (
        "internal case",
        "make the case",
        "business case",
        "help you",
        "support you",
        "stakeholder",
        "present",
        "sell internally",
        "champion",
        "together",
        "slides",
        "toolkit",
        "your case",
        "colleagues",
        "buy-in",
        "buy in",
    ),
    "blocker": (
        "concern",
        "risk",
        "worr",
        "reservation",
        "objection",
        "disrupt",
        "current",
        "existing",
        "incumbent",
        "transition",
        "question",
        "address",
        "de-risk",
        "reassur",
        "safeguard",
        "pilot",
    ),
}

_PLACEHOLDERS = re.compile(
    r"\[[^\]\n]{1,40}\]"  # [First name], [Company]
    r"|\{\{[^}\n]{0,40}\}\}"  # {{company}}
    r"|\{[A-Za-z_][A-Za-z_ .]{0,30}\}"  # {first_name}
    r"|%[A-Z][A-Z_]{1,30}%"  # %FIRSTNAME%
    r"|<(?:first[ _]?name|last[ _]?name|name|company|company[ _]?name|account|title|role)>"
    r"|\b[Xx]{3,}\b"  # XXX
    r"|\blorem\b"  # Lorem ipsum
    r"|\b(?:TBD|TBC|TODO)\b"
    r"|\binsert\s+[\w ]{1,30}?\s+here\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    """Lower-case, accent-fold, '&' -> 'and', punctuation -> space, collapsed: ' harbourline logistics '."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("&", " and ")
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", text).split()) + " "


def _concern_pattern(words: tuple[str, ...]) -> re.Pattern:
    parts = []
    for w in words:
        w = " ".join(re.sub(r"[^0-9a-z]+", " ", w.lower()).split())
        parts.append(r"\b" + re.escape(w).replace(r"\ ", r"\s+"))
    return re.compile("|".join(parts))


_CONCERNS = {role: _concern_pattern(words) for role, words in ROLE_CONCERNS.items()}


def _name_variants(name: str) -> tuple[str, ...]:
    variants = {_fold(name)}
    try:
        short = normalise_company_name(name)
    except Exception:  # the name is learner data; a failure here must not stop the check
        short = None
    if isinstance(short, str) and short.strip():
        variants.add(_fold(short))
    return tuple(v for v in variants if v.strip())


def _length_problem(channel: str, message: str) -> str | None:
    unit, low, high = LENGTHS[channel]
    size = len(message) if unit == "characters" else len(message.split())
    if size > high:
        return f"is {size} {unit} long; {CHANNEL_LABELS[channel]} should be at most {high} {unit}, so cut it down"
    if size < low:
        return (
            f"is only {size} {unit}; {CHANNEL_LABELS[channel]} needs at least {low} {unit} to make its case"
        )
    return None


class _Row:
    __slots__ = ("number", "account", "role", "channel", "subject", "message", "checks", "label")

    def __init__(self, number, account, role, channel, subject, message):
        self.number = number
        self.account = account
        self.role = role
        self.channel = channel
        self.subject = subject
        self.message = message
        self.checks = {"names_account": False, "role_concern": False, "length": False, "distinct": True}
        self.label = f"Message {number} ({role_label(role)} at {account.name})"


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    findings: list[Finding] = []
    if not isinstance(answer, dict):
        answer = {}

    def row_finding(severity, message, number, field, label=None, module=M_MESSAGING):
        findings.append(
            Finding(
                severity, message, "answer", number, label or f"Message {number}", f"messages.{field}", module
            )
        )

    if not workspace.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts and contacts first (Accounts > Import), "
                "then write messages for the people in their buying groups.",
                field="accounts",
                module=M_MESSAGING,
            )
        )
        return Result(0, False, tuple(findings), {"messages": 0})

    raw = as_rows(answer.get("messages"))
    if raw is None:
        row_finding(
            "improve",
            "Your messages could not be read: add them in the table, one row per account and role.",
            None,
            "message",
            "Messages",
        )
        raw = []

    rows: list[_Row] = []
    unusable = 0
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            unusable += 1
            row_finding(
                "improve", f"Message {number} is empty: fill it in or delete the row.", number, "message"
            )
            continue
        account = workspace.account(as_id(item.get("account")))
        role = normalise_role(item.get("role"))
        channel = item.get("channel") if item.get("channel") in CHANNELS else None
        message = as_text(item.get("message"))
        subject = as_text(item.get("subject"))
        ok = True
        if account is None:
            ok = False
            if item.get("account") in (None, ""):
                text = f"Message {number} has no account: choose the account it is written for."
            else:
                text = (
                    f"Message {number} names an account that is not in your workspace ({item.get('account')!r}): "
                    "choose one of your accounts."
                )
            row_finding("improve", text, number, "account")
        if role is None:
            ok = False
            given = item.get("role")
            text = f"Message {number} has no buying role: choose the role it is written for."
            if given not in (None, ""):
                text = f"Message {number} has role {given!r}, which is not a buying role: choose one from the list."
            row_finding("improve", text, number, "role")
        if channel is None:
            given = item.get("channel")
            text = (
                f"Message {number} has no channel: choose email, linkedin, phone_script, ad or direct_mail."
            )
            if given not in (None, ""):
                text = (
                    f"Message {number} has channel {given!r}: choose email, linkedin, phone_script, ad or "
                    "direct_mail."
                )
            row_finding("improve", text, number, "channel")
        if not message:
            ok = False
            row_finding(
                "improve",
                f"Message {number} has no text: write the message or delete the row.",
                number,
                "message",
            )
        if not ok:
            unusable += 1
            continue
        rows.append(_Row(number, account, role, channel, subject, message))

    if not rows and unusable == 0:
        findings.append(
            Finding(
                "blocker",
                f"You have not written any messages yet: choose at least {MIN_ACCOUNTS} accounts and write a message "
                f"for each role in their buying group (at least {MIN_ROLES} roles per account).",
                "answer",
                None,
                "Messages",
                "messages",
                M_MESSAGING,
            )
        )
        return Result(0, False, sort_findings(findings), {"messages": 0, "accounts": 0})

    # Per-message checks.
    placeholders = 0
    variants_cache: dict[int, tuple[str, ...]] = {}
    for r in rows:
        for field, text in (("message", r.message), ("subject", r.subject)):
            match = _PLACEHOLDERS.search(text) if text else None
            if match:
                placeholders += 1
                row_finding(
                    "blocker",
                    f"{r.label}: the {field} still contains the placeholder '{match.group(0)}'. Replace it with the "
                    "real name or detail before anything goes out.",
                    r.number,
                    field,
                    r.label,
                )
        folded = _fold(r.subject + " " + r.message)
        variants = variants_cache.get(r.account.id)
        if variants is None:
            variants = variants_cache[r.account.id] = _name_variants(r.account.name)
        if any(v in folded for v in variants):
            r.checks["names_account"] = True
        else:
            row_finding(
                "improve",
                f"{r.label} does not name {r.account.name}: mention the account by name so it reads as written for "
                "them, not for anyone.",
                r.number,
                "message",
                r.label,
            )
        if _CONCERNS[r.role].search(folded):
            r.checks["role_concern"] = True
        else:
            row_finding(
                "improve",
                f"{r.label} does not speak to the {role_label(r.role)} role's concerns: tie your point to what "
                f"matters to them ({CONCERN_EXAMPLES[r.role]}).",
                r.number,
                "message",
                r.label,
            )
        if r.channel is None:
            r.checks["length"] = True  # no channel: reported above, length not judged
        else:
            problem = _length_problem(r.channel, r.message)
            if problem:
                row_finding("improve", f"{r.label} {problem}.", r.number, "message", r.label)
            else:
                r.checks["length"] = True

    # Near-duplicates: only within an account, only between different roles.
    by_account: dict[int, list[_Row]] = {}
    for r in rows:
        by_account.setdefault(r.account.id, []).append(r)
    near_duplicates = 0
    for account_rows in by_account.values():
        compared = account_rows[:MAX_COMPARED_PER_ACCOUNT]
        processed = [utils.default_process(r.message) for r in compared]
        sizes = [len(p.split()) for p in processed]
        for j in range(1, len(compared)):
            for i in range(j):
                a, b = compared[i], compared[j]
                if a.role == b.role or min(sizes[i], sizes[j]) * 2 < max(sizes[i], sizes[j]):
                    continue
                similarity = fuzz.token_set_ratio(processed[i], processed[j], score_cutoff=NEAR_DUPLICATE)
                if similarity:
                    near_duplicates += 1
                    b.checks["distinct"] = False
                    row_finding(
                        "improve",
                        f"Messages {a.number} and {b.number} ({role_label(a.role)} and {role_label(b.role)} at "
                        f"{b.account.name}) are {similarity:.0f}% similar: rewrite message {b.number} around the "
                        f"{role_label(b.role)} role's concerns ({CONCERN_EXAMPLES[b.role]}).",
                        b.number,
                        "message",
                        b.label,
                    )
                    break

    # Coverage: accounts, and the mapped roles at each.
    mapped_cache = {aid: set(_mapped_roles(workspace, aid)) for aid in by_account}
    account_scores = []
    for aid, account_rows in by_account.items():
        account = account_rows[0].account
        messaged = {r.role for r in account_rows}
        mapped = mapped_cache[aid]
        slots = max(MIN_ROLES, len(mapped))
        filled = len(messaged & mapped) + min(len(messaged - mapped), max(0, MIN_ROLES - len(mapped)))
        account_scores.append(min(1.0, filled / slots))
        missing = [r for r in _ordered(mapped) if r not in messaged]
        if missing:
            names = ", ".join(role_label(r) for r in missing)
            findings.append(
                Finding(
                    "improve",
                    f"{account.name} has contacts in roles you have not written for: {names}. Write a message "
                    "for each, so every member of the buying group hears why it matters to them.",
                    "account",
                    account.id,
                    account.name,
                    "messages",
                    M_PLAYBOOK,
                )
            )
        if len(messaged) < MIN_ROLES:
            findings.append(
                Finding(
                    "improve",
                    f"{account.name} has messages for {len(messaged)} role{'s' if len(messaged) != 1 else ''} "
                    f"({', '.join(role_label(r) for r in _ordered(messaged))}): write for at least {MIN_ROLES} "
                    "roles in its buying group.",
                    "account",
                    account.id,
                    account.name,
                    "messages",
                    M_MESSAGING,
                )
            )
        if len(mapped) < MIN_ROLES:
            findings.append(
                Finding(
                    "improve",
                    f"{account.name} has contacts in only {len(mapped)} buying role{'s' if len(mapped) != 1 else ''}: "
                    f"map at least {MIN_ROLES} roles (give its contacts their roles, or add the missing people) so "
                    "your messages reach real people.",
                    "account",
                    account.id,
                    account.name,
                    "contacts",
                    M_ROLES,
                )
            )
        for role in _ordered(messaged - mapped):
            first = next(r for r in account_rows if r.role == role)
            row_finding(
                "improve",
                f"{first.label}: {account.name} has no {role_label(role)} contact, so nobody will receive it. Add "
                f"the contact (or give an existing contact the {role_label(role)} role).",
                first.number,
                "role",
                first.label,
                M_ROLES,
            )
    if len(by_account) < MIN_ACCOUNTS:
        have = ", ".join(r[0].account.name for r in by_account.values()) or "none"
        findings.append(
            Finding(
                "blocker",
                f"You have written messages for {len(by_account)} account{'s' if len(by_account) != 1 else ''} "
                f"({have}): write for at least {MIN_ACCOUNTS} accounts.",
                "answer",
                None,
                "Messages",
                "messages.account",
                M_MESSAGING,
            )
        )
    coverage = sum(account_scores) / max(MIN_ACCOUNTS, len(by_account))

    checks_total = len(rows) * 4 + unusable * 4
    checks_passed = sum(sum(r.checks.values()) for r in rows if not _has_placeholder(r))
    quality = checks_passed / checks_total if checks_total else 0.0
    clean = sum(1 for r in rows if all(r.checks.values()) and not _has_placeholder(r))
    if rows and clean == len(rows) and len(rows) >= MIN_ACCOUNTS * MIN_ROLES:
        findings.append(
            Finding(
                "good",
                f"All {clean} messages name their account, speak to their role's concerns and fit their channel.",
                module=M_MESSAGING,
            )
        )

    score = score_from_ratio(COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * quality)
    blockers = any(f.severity == "blocker" for f in findings)
    summary = {
        "messages": len(rows) + unusable,
        "usable_messages": len(rows),
        "accounts": len(by_account),
        "roles_per_account": {
            rows_[0].account.name: len({r.role for r in rows_}) for rows_ in by_account.values()
        },
        "coverage": round(coverage, 3),
        "quality": round(quality, 3),
        "clean_messages": clean,
        "near_duplicates": near_duplicates,
        "placeholders": placeholders,
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)


def _has_placeholder(r: _Row) -> bool:
    return bool(_PLACEHOLDERS.search(r.message) or (r.subject and _PLACEHOLDERS.search(r.subject)))


def _mapped_roles(workspace, account_id: int) -> set[str]:
    roles: set[str] = set()
    for c in workspace.contacts_of(account_id):
        roles.update(normalise_roles(c.roles))
    return roles


def _ordered(roles) -> list[str]:
    return [r for r in BUYING_ROLES if r in roles]
