"""Check an AI-drafted account brief in which every fact cites its source (the module "AI and automation in ABM").

A claim cites a record of the workspace (the account, a contact, a signal, an opportunity), which the checker
reads to confirm the claim says something that record holds and that its figures and dates match, or an https web
page, which the checker cannot open: a coach reviews those.

Rules, in the order a learner should fix them (weights in brackets):
  account-is-chosen                  [1]  one account of the workspace (blocker otherwise)
  every-claim-cites-a-source         [1]  at least 4 claims, each with a source; none repeated
  claims-match-their-records         [4]  a workspace source holds what the claim says: an account field, the
                                          contact's name and title, the signal's type or topic, the opportunity
  figures-match-the-records          [3]  numbers and dates in a claim are the record's own
  web-sources-are-well-formed        [1]  web sources are well-formed https addresses (a coach checks what they say)
  brief-draws-on-the-workspace       [1]  at least 2 claims cite the workspace's own records
  hand-checks-are-described          [1]  how the learner checked the AI's output by hand
  prompt-is-recorded                 [1]  the prompt, naming the account and asking for sources
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from rapidfuzz import fuzz

from lms.abm.integrity import GENERIC, is_answered, meaningful_words, repeated, words
from lms.abm.roles import infer_title
from lms.abm.snapshot import AccountSnap, ContactSnap, OpportunitySnap, SignalSnap, WorkspaceSnapshot
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_rows, as_text, is_blank_row

PASS_MARK = 80
M_AI = "abm-foundations/ai-and-automation-in-abm"
MIN_CLAIMS = 4
MIN_WORKSPACE_CLAIMS = 2
TOLERANCE = 0.05  # a rounded figure ("about 1,200 staff" for 1,180) still matches the record
SOURCES = ("account record", "contact", "signal", "opportunity", "web page")
SAME_NAME = 80  # token-set similarity at or above which a source names an opportunity
_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(k|m|bn|thousand|million|billion)?\b", re.IGNORECASE)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_CHECK_ACTS = frozenset(words("""checked check compared compare confirmed confirm verified verify called asked
removed deleted corrected fixed cross-checked matched traced looked opened read rang"""))
_PLAIN_SIGNAL_WORDS = frozenset({"visit", "page", "request"})  # "visited a page" says nothing of which signal
_ASKS_FOR_SOURCES = frozenset(words("source sources cite cites citation citations reference references link links"))

RULES = Rules()


@dataclass(frozen=True)
class Claim:
    """One row of the brief: its number, the claim, the source type, the source text and the record it names."""

    number: int
    text: str
    kind: str | None
    source: str
    record: AccountSnap | ContactSnap | SignalSnap | OpportunitySnap | None


@dataclass
class Ctx:
    workspace: WorkspaceSnapshot
    answer: dict
    account: AccountSnap | None
    claims: list[Claim]


def _dates(text: str) -> set[date]:
    found = set()
    for m in _DATE.finditer(text):
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
        try:
            found.add(date(int(y), int(mo), int(d)))
        except ValueError:
            continue
    return found


def _numbers(text: str) -> list[tuple[str, float]]:
    """Return the figures in a claim (dates left out), as (as written, value): "£4.2m" -> ("4.2m", 4200000.0)."""
    plain = _DATE.sub(" ", text)
    found = []
    for m in _NUMBER.finditer(plain):
        try:
            value = float(m.group(1).replace(",", ""))
        except ValueError:
            continue
        scale = _SCALE.get((m.group(2) or "").lower(), 1)
        found.append((m.group(0).strip(), value * scale))
    return found


def _contact(text: str, contacts: tuple[ContactSnap, ...]) -> ContactSnap | None:
    key = " ".join(meaningful_words(text))
    for c in contacts:
        if key and (key == " ".join(meaningful_words(c.name)) or (c.email and text.strip().lower() == c.email.lower())):
            return c
    last = [c for c in contacts if c.last_name and key == " ".join(meaningful_words(c.last_name))]
    return last[0] if len(last) == 1 else None


def _signal(ctx: Ctx, source: str) -> SignalSnap | None:
    mine = [s for s in ctx.workspace.signals if ctx.account and s.account_id == ctx.account.id]
    when, said = _dates(source), set(words(source))
    if when:
        mine = [s for s in mine if s.occurred_at.date() in when]
    typed = [s for s in mine if set(words(s.type.replace("_", " "))) <= said]
    return (typed or (mine if when else []) or [None])[0]


def _opportunity(ctx: Ctx, source: str) -> OpportunitySnap | None:
    mine = [o for o in ctx.workspace.opportunities if ctx.account and o.account_id == ctx.account.id]
    scored = sorted(((fuzz.token_set_ratio(source.lower(), o.name.lower()), o) for o in mine), key=lambda p: -p[0])
    return scored[0][1] if scored and scored[0][0] >= SAME_NAME else None


def _record(ctx: Ctx, kind: str | None, source: str):
    if ctx.account is None or kind is None:
        return None
    if kind == "account record":
        return ctx.account
    if kind == "contact":
        return _contact(source, ctx.workspace.contacts_of(ctx.account.id))
    if kind == "signal":
        return _signal(ctx, source)
    if kind == "opportunity":
        return _opportunity(ctx, source)
    return None


def _claims(ctx: Ctx) -> list[Claim]:
    rows = as_rows(ctx.answer.get("claims")) or []
    claims = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or is_blank_row(row):
            continue
        kind = as_text(row.get("source_type")).lower()
        kind = kind if kind in SOURCES else None
        source = as_text(row.get("source"))
        claims.append(Claim(number, as_text(row.get("claim")), kind, source, _record(ctx, kind, source)))
    return claims


def _name(ctx: Ctx) -> str:
    return ctx.account.name if ctx.account else "the account"


def _finding(ctx: Ctx, severity: str, message: str, field: str, number: int | None = None,
             label: str = "Account brief") -> Finding:
    a = ctx.account
    return Finding(severity, message, "answer", number, label, field, None, a.id if a else None,
                   a.name if a else None)


@RULES.rule("account-is-chosen", module=M_AI, weight=1)
def account_is_chosen(ctx: Ctx) -> Outcome:
    if ctx.account is not None:
        return Outcome.of(1, 1)
    return Outcome.of(0, 1, [_finding(ctx, "blocker", "Choose the account this brief is about, from your "
                                      "workspace.", "account")])


@RULES.rule("every-claim-cites-a-source", module=M_AI, weight=1)
def every_claim_cites_a_source(ctx: Ctx) -> Outcome:
    if not ctx.claims:
        return Outcome.of(0, 1, [_finding(ctx, "blocker", f"Add the brief's facts about {_name(ctx)}, one claim per "
                                          "row, each with the source that shows it is true.", "claims")])
    copied = repeated({c.number: c.text for c in ctx.claims})
    findings, met = [], 0
    for c in ctx.claims:
        if not is_answered(c.text, 3):
            problem = "write the fact as a sentence"
        elif c.number in copied:
            problem = f"it repeats claim {copied[c.number][0]}: each row is a different fact"
        elif c.kind is None or not c.source and c.kind != "account record":
            problem = ("it has no source: say which record of your workspace shows it (the account, a contact, a "
                       "signal, an opportunity) or give the web page's https address, or delete the claim")
        else:
            met += 1
            continue
        findings.append(_finding(ctx, "improve", f"Claim {c.number}: {problem}.", "claims", c.number,
                                 f"Claim {c.number}"))
    enough = len(ctx.claims) >= MIN_CLAIMS
    if not enough:
        findings.append(_finding(ctx, "improve", f"A brief sales can use has at least {MIN_CLAIMS} checked facts: "
                                 "add more.", "claims"))
    return Outcome.of(met / len(ctx.claims) + enough, 2, findings)


def _title_said(text: str, title: str | None) -> bool:
    if not title:
        return False
    if {w for w in meaningful_words(title) if w not in GENERIC} & set(meaningful_words(text)):
        return True
    said, held = infer_title(text), infer_title(title)
    return held.function != "unknown" and (said.function, said.seniority) == (held.function, held.seniority)


def _holds(claim: Claim) -> bool:
    """True when the claim says something its workspace record holds."""
    r, said = claim.record, set(meaningful_words(claim.text))
    if isinstance(r, AccountSnap):
        fields = " ".join(as_text(v) for v in (r.industry, r.region, r.domain, r.website))
        held = {w for w in meaningful_words(fields) if w not in GENERIC} - set(meaningful_words(r.name))
        return bool(said & held) or any(_matches(v, r) for _, v in _numbers(claim.text))
    if isinstance(r, ContactSnap):
        named = bool(r.last_name) and set(meaningful_words(r.last_name)) <= said
        return named and _title_said(claim.text, r.title)
    if isinstance(r, SignalSnap):
        held = set(words(r.type.replace("_", " "))) | set(meaningful_words(r.topic))
        return bool(said & (held - GENERIC - _PLAIN_SIGNAL_WORDS))
    if isinstance(r, OpportunitySnap):
        held = {w for w in meaningful_words(r.name) if w not in GENERIC} | set(meaningful_words(r.stage))
        return bool(said & held) or any(_matches(v, r) for _, v in _numbers(claim.text))
    return False


def _record_figures(record) -> list[float]:
    if isinstance(record, AccountSnap):
        return [v for v in (record.employees, record.revenue) if v]
    if isinstance(record, OpportunitySnap):
        return [record.amount] if record.amount else []
    return []


def _record_names(record) -> tuple[str | None, ...]:
    if isinstance(record, AccountSnap | OpportunitySnap):
        return (record.name,)
    if isinstance(record, ContactSnap):
        return (record.title,)
    if isinstance(record, SignalSnap):
        return (record.topic,)
    return ()


def _matches(value: float, record) -> bool:
    return any(abs(value - v) <= TOLERANCE * abs(v) for v in _record_figures(record))


def _unsupported(ctx: Ctx, c: Claim) -> str:
    if c.record is None:
        where = {"contact": f"no contact at {_name(ctx)} matches '{c.source}' (give their name or email)",
                 "signal": f"no signal at {_name(ctx)} matches '{c.source}' (give its type and date, 2025-02-04)",
                 "opportunity": f"no opportunity at {_name(ctx)} is called '{c.source}'"}
        return where.get(c.kind, "its source is not a record of your workspace")
    what = {AccountSnap: f"{_name(ctx)}'s record (its industry, region, website, staff or revenue)",
            ContactSnap: f"{c.record.name if isinstance(c.record, ContactSnap) else ''}'s record (name and title)",
            SignalSnap: "the signal (its type or topic)", OpportunitySnap: "the opportunity (its name, stage or amount)"}
    return f"{what[type(c.record)]} does not say this"


@RULES.rule("claims-match-their-records", module=M_AI, weight=4)
def claims_match_their_records(ctx: Ctx) -> Outcome:
    cited = [c for c in ctx.claims if c.kind in SOURCES[:4] and is_answered(c.text, 3)]
    findings, met = [], 0
    for c in cited:
        if c.record is not None and _holds(c):
            met += 1
            continue
        findings.append(_finding(ctx, "improve", f"Claim {c.number} is not supported by its source: "
                                 f"{_unsupported(ctx, c)}. Check it by hand: correct the claim, cite the source that "
                                 "does show it, or delete it.", "claims", c.number, f"Claim {c.number}"))
    return Outcome.of(met, len(cited), findings)


def _figure_problems(c: Claim) -> list[str]:
    problems = []
    if isinstance(c.record, SignalSnap):
        held = c.record.occurred_at.date()
        problems += [f"the signal happened on {held:%d %B %Y}, not {d:%d %B %Y}" for d in _dates(c.text) if d != held]
    figures = _record_figures(c.record)
    named = set(words(" ".join(as_text(t) for t in _record_names(c.record))))
    for written, value in _numbers(c.text):
        if written in named:  # a number in the record's own name ("Platform 2026") is not a figure
            continue
        if not _matches(value, c.record):
            held = ", ".join(f"{v:,.0f}" for v in figures) or "no figure"
            problems.append(f"{written} is not in the record (it holds {held})")
    return problems


@RULES.rule("figures-match-the-records", module=M_AI, weight=3)
def figures_match_the_records(ctx: Ctx) -> Outcome:
    with_figures = [c for c in ctx.claims if c.record is not None and (_numbers(c.text) or _dates(c.text))]
    findings, met = [], 0
    for c in with_figures:
        problems = _figure_problems(c)
        if problems:
            findings.append(_finding(ctx, "improve", f"Claim {c.number}: {'; '.join(problems)}. An AI tool states "
                                     "wrong figures confidently: use the record's figure or remove it.", "claims",
                                     c.number, f"Claim {c.number}"))
        met += not problems
    return Outcome.of(met, len(with_figures), findings)


def _well_formed(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme == "https" and "." in parts.netloc and " " not in url and not parts.netloc.startswith(".")


@RULES.rule("web-sources-are-well-formed", module=M_AI, weight=1)
def web_sources_are_well_formed(ctx: Ctx) -> Outcome:
    web = [c for c in ctx.claims if c.kind == "web page"]
    bad = [c for c in web if not _well_formed(c.source)]
    findings = [_finding(ctx, "improve", f"Claim {c.number} cites '{c.source or 'no address'}': give the full https "
                         "address of the page that says it (https://...).", "claims", c.number, f"Claim {c.number}")
                for c in bad]
    if len(web) > len(bad):
        findings.append(_finding(ctx, "good", f"{len(web) - len(bad)} claim(s) cite web pages: the checker cannot open "
                                 "them, so your coach will check that each page says what you claim.", "claims"))
    return Outcome.of(len(web) - len(bad), len(web), findings)


@RULES.rule("brief-draws-on-the-workspace", module=M_AI, weight=1)
def brief_draws_on_the_workspace(ctx: Ctx) -> Outcome:
    own = sum(1 for c in ctx.claims if c.kind in SOURCES[:4] and c.record is not None)
    if own >= MIN_WORKSPACE_CLAIMS or not ctx.claims:
        return Outcome.of(1 if ctx.claims else 0, 1 if ctx.claims else 0)
    return Outcome.of(0, 1, [_finding(ctx, "improve", f"Only {own} claim(s) rest on your own records of "
                                      f"{_name(ctx)}: check the AI's draft against what your workspace holds (its "
                                      f"contacts, signals and opportunities) and cite at least "
                                      f"{MIN_WORKSPACE_CLAIMS}.", "claims")])


@RULES.rule("hand-checks-are-described", module=M_AI, weight=1)
def hand_checks_are_described(ctx: Ctx) -> Outcome:
    text = as_text(ctx.answer.get("checked_by_hand"))
    if is_answered(text, 8) and set(words(text)) & _CHECK_ACTS and \
            fuzz.token_sort_ratio(text.lower(), as_text(ctx.answer.get("prompt")).lower()) < 88:
        return Outcome.of(1, 1)
    return Outcome.of(0, 1, [_finding(ctx, "improve", "Say how you checked the AI's output by hand: which claims you "
                                      "compared with which records or pages, and what you corrected or removed.",
                                      "checked_by_hand")])


@RULES.rule("prompt-is-recorded", module=M_AI, weight=1)
def prompt_is_recorded(ctx: Ctx) -> Outcome:
    text = as_text(ctx.answer.get("prompt"))
    problems = []
    if not is_answered(text, 8):
        problems.append("Paste the prompt you gave the AI tool, so a colleague can repeat or improve it.")
    else:
        if ctx.account and not set(meaningful_words(ctx.account.name)) & set(meaningful_words(text)):
            problems.append(f"The prompt does not name {_name(ctx)}: a brief drafted without the account's name is "
                            "generic.")
        if not set(words(text)) & _ASKS_FOR_SOURCES:
            problems.append("Ask the tool to cite a source for every fact: it makes the checking faster.")
    return Outcome.of(2 - min(len(problems), 2), 2, [_finding(ctx, "improve", p, "prompt") for p in problems])


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the result of the account brief in `answer`, checking its claims against the workspace's records."""
    if not isinstance(answer, dict):
        answer = {}
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts and "
                                         "contacts first (Accounts > Import), then brief one of them.",
                                         field="account", module=M_AI),))
    ctx = Ctx(workspace, answer, workspace.account(as_id(answer.get("account"))), [])
    ctx.claims = _claims(ctx)
    return RULES.evaluate(ctx, pass_mark=PASS_MARK)

