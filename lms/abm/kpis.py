"""ABM KPIs (ABM-REFERENCE 4.2) computed on a workspace snapshot over one measurement window.

Pure functions of a `WorkspaceSnapshot` and a window `[start, end)` of naive UTC datetimes. Each returns a
`Kpi`; a KPI the workspace cannot compute yet has `value=None` and a `note` naming the data to add, so
callers (exercise checkers, manager reports) never divide by zero. `compute_kpis` returns every KPI in
`KPI_SLUGS` order and builds the signal index once.

Conventions shared by every KPI:
- The window is half-open: `start <= t < end`. A KPI that is a state rather than a flow (TAL coverage,
  contact density, buying-group coverage, match rate) is measured as at the snapshot, because contacts carry
  no creation date.
- A signal belongs to its `account_id`, or, when that is empty, to its contact's account.
- "Target accounts" are the accounts with `is_target`; every account-level KPI is over target accounts only.
- `numerator` and `denominator`: for ratios (and contact density) `value = numerator / denominator`. For
  money and counts the numerator is the total (= value) and the denominator the number of records summed
  (None for counts). For hours the numerator is the median and the denominator the number of handoffs measured.
"""


from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from statistics import median

from lms.abm.coverage import coverage_detail, normalise_tier, required_roles
from lms.abm.kpi import (
    NO_HANDOFFS,
    NO_SIGNALS,
    NO_TARGETS,
    Kpi,
    figure,
    in_window,
    missing,
    ratio_figure,
    tier_slug,
    window_error,
)
from lms.abm.pipeline import (
    ABM_SOURCE,
    DEFAULT_INFLUENCE_DAYS,
    pipeline_influenced,
    pipeline_sourced,
    won_revenue,
)
from lms.abm.signals import (
    DEFAULT_MIN_CONTACTS,
    DEFAULT_MIN_SIGNALS,
    LIGHT_TYPES,
    QUALIFYING_TYPES,
    SignalIndex,
    is_engaged,
)
from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import TIERS

DEFAULT_SLA_HOURS = 24.0


# --- engagement ----------------------------------------------------------------------------------------------


def _engagement_definition(min_signals: int, min_contacts: int, high: Iterable[str],
                           qualifying: Iterable[str] | None) -> str:
    light = sorted(LIGHT_TYPES - frozenset(qualifying)) if qualifying is not None else []
    text = (
        f"Engaged target accounts ÷ target accounts. Engaged = at least {min_signals} qualifying signals in the "
        f"window from at least {min_contacts} known contact(s)"
    )
    if light:
        text += f"; light signals ({', '.join(t.replace('_', ' ') for t in light)}) do not count"
    if high := sorted(high):
        text += f"; or one signal from a known contact of a type agreed as decisive ({', '.join(high)})"
    return text + ". Anonymous signals do not count."


def engagement_rate(
    ws: WorkspaceSnapshot,
    start: datetime,
    end: datetime,
    *,
    tier: str | None = None,
    min_signals: int = DEFAULT_MIN_SIGNALS,
    min_contacts: int = DEFAULT_MIN_CONTACTS,
    high_intent_types: Iterable[str] = (),
    qualifying_types: Iterable[str] | None = QUALIFYING_TYPES,
    index: SignalIndex | None = None,
) -> Kpi:
    """Return the target-account engagement rate in the window, over all targets or one `tier`."""
    slug = "engagement_rate" if tier is None else f"engagement_rate_{tier_slug(tier)}"
    definition = _engagement_definition(min_signals, min_contacts, high_intent_types, qualifying_types)
    if tier is not None:
        definition = definition.replace("target accounts", f"{tier} target accounts", 2)
    if err := window_error(start, end):
        return missing(slug, "ratio", definition, err)
    targets = [a for a in ws.accounts if a.is_target and (tier is None or normalise_tier(a.tier) == tier)]
    if not targets:
        note = NO_TARGETS if tier is None or not ws.targets else f"No target accounts are tiered {tier}."
        return missing(slug, "ratio", definition, note)
    if not ws.signals:
        return figure(slug, "ratio", definition, None, None, len(targets), NO_SIGNALS)
    ix = index or SignalIndex(ws)
    engaged = sum(
        1
        for a in targets
        if is_engaged(
            ix.between(a.id, start, end),
            ix.known_contacts,
            min_signals=min_signals,
            min_contacts=min_contacts,
            high_intent_types=high_intent_types,
            qualifying_types=qualifying_types,
        )
    )
    note = None
    if tier is None:
        untiered = sum(1 for a in targets if normalise_tier(a.tier) is None)
        if untiered:
            note = f"{untiered} target account(s) have no tier, so they appear in no tier's engagement rate."
    return ratio_figure(slug, definition, engaged, len(targets), NO_TARGETS, note)


def engagement_by_tier(ws: WorkspaceSnapshot, start: datetime, end: datetime, **kwargs) -> list[Kpi]:
    """Return one engagement-rate Kpi per tier (1:1, 1:few, 1:many), same thresholds as engagement_rate."""
    return [engagement_rate(ws, start, end, tier=t, **kwargs) for t in TIERS]


def account_reach(
    ws: WorkspaceSnapshot, start: datetime, end: datetime, *, index: SignalIndex | None = None
) -> Kpi:
    """Return target accounts with at least one signal of any type in the window ÷ target accounts."""
    definition = "Target accounts with at least one signal (any type) in the window ÷ target accounts."
    if err := window_error(start, end):
        return missing("account_reach", "ratio", definition, err)
    targets = ws.targets
    if not targets:
        return missing("account_reach", "ratio", definition, NO_TARGETS)
    if not ws.signals:
        return figure("account_reach", "ratio", definition, None, None, len(targets), NO_SIGNALS)
    ix = index or SignalIndex(ws)
    reached = sum(1 for a in targets if ix.any_in(a.id, start, end))
    return ratio_figure("account_reach", definition, reached, len(targets), NO_TARGETS)


# --- coverage (state as at the snapshot) ----------------------------------------------------------------------


def tal_coverage(ws: WorkspaceSnapshot) -> Kpi:
    """Return target accounts with at least one known contact ÷ target accounts (as at the snapshot)."""
    definition = "Target accounts with at least one known contact ÷ target accounts, as at the snapshot."
    targets = ws.targets
    covered = sum(1 for a in targets if ws.contacts_of(a.id))
    note = (
        "No contacts yet: import contacts and link them to your accounts."
        if targets and not ws.contacts
        else None
    )
    return ratio_figure("tal_coverage", definition, covered, len(targets), NO_TARGETS, note)


def contact_density(ws: WorkspaceSnapshot) -> Kpi:
    """Return known contacts at target accounts ÷ target accounts (benchmarks: 8-15 enterprise, 4-8 mid-market)."""
    definition = (
        "Known contacts at target accounts ÷ target accounts, as at the snapshot "
        "(benchmarks: 8–15 for enterprise, 4–8 for mid-market)."
    )
    targets = ws.targets
    if not targets:
        return missing("contact_density", "count", definition, NO_TARGETS)
    n = sum(len(ws.contacts_of(a.id)) for a in targets)
    return figure("contact_density", "count", definition, n / len(targets), n, len(targets))


def buying_group_coverage(ws: WorkspaceSnapshot, overrides: Mapping[str, object] | None = None) -> list[Kpi]:
    """Return [mean buying-group coverage, share of targets at 100%] using lms.abm.coverage.

    Coverage per account = required roles with at least one known contact ÷ required roles, where the
    required roles are the account's own, else `overrides` for its tier, else the tier default.
    """
    d_mean = (
        "Mean across target accounts of buying-group coverage (required roles with at least one known contact "
        "÷ required roles; the account's own required roles, else its tier's default), as at the snapshot."
    )
    d_full = "Target accounts whose every required buying role has a known contact ÷ target accounts."
    targets = ws.targets
    if not targets:
        return [
            missing("buying_group_coverage", "ratio", d_mean, NO_TARGETS),
            missing("buying_group_complete", "ratio", d_full, NO_TARGETS),
        ]
    total = 0.0
    complete = 0
    for a in targets:
        detail = coverage_detail(a, ws.contacts_of(a.id), required_roles(a, overrides))
        total += detail.ratio
        complete += detail.complete
    note = None
    if not any(c.roles for c in ws.contacts):
        note = "No contact has a buying role yet: confirm or set each contact's role."
    n = len(targets)
    return [
        figure("buying_group_coverage", "ratio", d_mean, total / n, round(total, 6), n, note),
        figure("buying_group_complete", "ratio", d_full, complete / n, complete, n, note),
    ]


def match_rate(ws: WorkspaceSnapshot) -> Kpi:
    """Return contacts linked to an account in the workspace ÷ contacts (as at the snapshot)."""
    definition = "Contacts linked to an account in the workspace ÷ contacts imported, as at the snapshot."
    known_accounts = {a.id for a in ws.accounts}
    matched = sum(1 for c in ws.contacts if c.account_id is not None and c.account_id in known_accounts)
    return ratio_figure(
        "match_rate",
        definition,
        matched,
        len(ws.contacts),
        "No contacts in the workspace: import your contacts.",
    )


# --- handoffs -------------------------------------------------------------------------------------------------


def sales_acceptance_rate(
    ws: WorkspaceSnapshot, start: datetime, end: datetime, *, basis: str = "sent"
) -> Kpi:
    """Return accepted ÷ handoffs sent in the window.

    With `basis="sent"` (default; modules 11 and 12 and ABM-REFERENCE 4.2: "handoffs accepted ÷ handoffs sent")
    every handoff sent in the window is in the denominator, undecided ones counting as not accepted.
    With `basis="decided"` the denominator is the handoffs sent in the window that sales has
    decided (accepted or rejected): handoffs still awaiting a decision are left out and counted in the note.
    """
    if basis == "sent":
        definition = "Handoffs sent in the window that sales accepted ÷ handoffs sent in the window."
    else:
        definition = (
            "Handoffs sent in the window that sales accepted ÷ handoffs sent in the window that sales has "
            "decided (accepted or rejected); undecided handoffs are left out."
        )
    if err := window_error(start, end):
        return missing("sales_acceptance_rate", "ratio", definition, err)
    if not ws.handoffs:
        return missing("sales_acceptance_rate", "ratio", definition, NO_HANDOFFS)
    sent = [h for h in ws.handoffs if in_window(h.sent_at, start, end)]
    accepted = sum(1 for h in sent if h.status == "accepted")
    decided = sum(1 for h in sent if h.status in ("accepted", "rejected"))
    undecided = len(sent) - decided
    note = (
        f"{undecided} handoff(s) sent in the window still await a decision from sales." if undecided else None
    )
    denominator = len(sent) if basis == "sent" else decided
    if not sent:
        empty = "No handoffs were sent in the window."
    else:
        empty = "Sales has not accepted or rejected any handoff sent in the window: ask sales to decide."
    return ratio_figure("sales_acceptance_rate", definition, accepted, denominator, empty, note)


def _sla(h, default_sla_hours: float) -> tuple[float, bool]:
    sla = h.sla_hours
    if isinstance(sla, int | float) and not isinstance(sla, bool) and sla > 0:
        return float(sla), False
    return float(default_sla_hours), True


def follow_up_sla(
    ws: WorkspaceSnapshot, start: datetime, end: datetime, *, default_sla_hours: float = DEFAULT_SLA_HOURS
) -> Kpi:
    """Return handoffs first touched within their SLA ÷ handoffs due in the window.

    Due = sent_at + sla_hours (`default_sla_hours` when a handoff has none). A handoff is due in the window
    when its due time is in [start, end) and not after the snapshot's `now` (not yet due cannot be judged).
    Within SLA = first_touch_at is set and first_touch_at - sent_at <= sla_hours.
    """
    definition = (
        "Handoffs whose first sales touch came within their SLA (first_touch_at − sent_at ≤ sla_hours) ÷ "
        f"handoffs whose follow-up fell due in the window (sent_at + sla_hours; {default_sla_hours:g} h when "
        "a handoff has no SLA)."
    )
    if err := window_error(start, end):
        return missing("follow_up_sla", "ratio", definition, err)
    if not ws.handoffs:
        return missing("follow_up_sla", "ratio", definition, NO_HANDOFFS)
    until = min(end, ws.now + timedelta(microseconds=1)) if isinstance(ws.now, datetime) else end
    due = met = defaulted = 0
    for h in ws.handoffs:
        if not isinstance(h.sent_at, datetime):
            continue
        sla, was_default = _sla(h, default_sla_hours)
        deadline = h.sent_at + timedelta(hours=sla)
        if not (start <= deadline < until):
            continue
        due += 1
        defaulted += was_default
        if isinstance(h.first_touch_at, datetime) and h.first_touch_at <= deadline:
            met += 1
    note = (
        f"{defaulted} handoff(s) had no SLA, so {default_sla_hours:g} h was assumed: set sla_hours on every handoff."
        if defaulted
        else None
    )
    return ratio_figure(
        "follow_up_sla", definition, met, due, "No handoff fell due for follow-up in the window.", note
    )


def time_to_follow_up(ws: WorkspaceSnapshot, start: datetime, end: datetime) -> Kpi:
    """Return the median hours from sent_at to first_touch_at over handoffs sent in the window and touched."""
    definition = "Median of (first_touch_at − sent_at) in hours over handoffs sent in the window that sales has touched."
    if err := window_error(start, end):
        return missing("time_to_follow_up", "hours", definition, err)
    if not ws.handoffs:
        return missing("time_to_follow_up", "hours", definition, NO_HANDOFFS)
    sent = [h for h in ws.handoffs if in_window(h.sent_at, start, end)]
    hours = [
        max(0.0, (h.first_touch_at - h.sent_at).total_seconds() / 3600)
        for h in sent
        if isinstance(h.first_touch_at, datetime)
    ]
    if not hours:
        note = (
            "No handoffs were sent in the window."
            if not sent
            else "No handoff sent in the window has a first sales touch recorded (first_touch_at)."
        )
        return figure("time_to_follow_up", "hours", definition, None, None, 0, note)
    untouched = len(sent) - len(hours)
    note = (
        f"{untouched} handoff(s) sent in the window have no first touch yet and are left out."
        if untouched
        else None
    )
    value = float(median(hours))
    return figure("time_to_follow_up", "hours", definition, value, value, len(hours), note)


def meetings_created(
    ws: WorkspaceSnapshot,
    start: datetime,
    end: datetime,
    *,
    include_meeting_requests: bool = True,
    index: SignalIndex | None = None,
) -> Kpi:
    """Return the number of meetings created with target accounts in the window.

    Counts handoffs sent in the window on target accounts with `meeting_booked`, plus (when
    `include_meeting_requests`) `meeting_request` signals in the window on target accounts that are not the
    signal of one of those meeting-booked handoffs (so one meeting is not counted twice). The workspace holds
    no meeting records, so this is a proxy for "meetings held".
    """
    definition = "Handoffs sent in the window on target accounts with a meeting booked"
    if include_meeting_requests:
        definition += (
            ", plus meeting_request signals in the window on target accounts that are not already the signal of "
            "one of those handoffs"
        )
    definition += "."
    if err := window_error(start, end):
        return missing("meetings_created", "count", definition, err)
    if not ws.targets:
        return missing("meetings_created", "count", definition, NO_TARGETS)
    if not ws.handoffs and not (include_meeting_requests and ws.signals):
        return missing(
            "meetings_created",
            "count",
            definition,
            "No handoffs or meeting requests in the workspace: record handoffs and whether a meeting was booked.",
        )
    target_ids = {a.id for a in ws.targets}
    booked = [
        h
        for h in ws.handoffs
        if h.meeting_booked and h.account_id in target_ids and in_window(h.sent_at, start, end)
    ]
    counted_signals = {h.signal_id for h in booked if h.signal_id is not None}
    n = len(booked)
    if include_meeting_requests and ws.signals:
        ix = index or SignalIndex(ws)
        for acc in target_ids:
            n += sum(
                1
                for s in ix.between(acc, start, end)
                if s.type == "meeting_request" and s.id not in counted_signals
            )
    return figure("meetings_created", "count", definition, float(n), n, None)


# --- everything -----------------------------------------------------------------------------------------------


def compute_kpis(
    ws: WorkspaceSnapshot,
    start: datetime,
    end: datetime,
    *,
    min_signals: int = DEFAULT_MIN_SIGNALS,
    min_contacts: int = DEFAULT_MIN_CONTACTS,
    high_intent_types: Iterable[str] = (),
    qualifying_types: Iterable[str] | None = QUALIFYING_TYPES,
    role_overrides: Mapping[str, object] | None = None,
    acceptance_basis: str = "sent",
    default_sla_hours: float = DEFAULT_SLA_HOURS,
    include_meeting_requests: bool = True,
    abm_source: str = ABM_SOURCE,
    influence_days: int = DEFAULT_INFLUENCE_DAYS,
) -> list[Kpi]:
    """Return every KPI in KPI_SLUGS order for the window [start, end); thresholds as in each function.

    Never raises for a sparse workspace: a KPI that cannot be computed has value None and a note.
    """
    ix = SignalIndex(ws)
    engagement = {
        "min_signals": min_signals,
        "min_contacts": min_contacts,
        "high_intent_types": frozenset(high_intent_types),
        "qualifying_types": qualifying_types,
        "index": ix,
    }
    kpis = [engagement_rate(ws, start, end, **engagement)]
    kpis += engagement_by_tier(ws, start, end, **engagement)
    kpis.append(account_reach(ws, start, end, index=ix))
    kpis.append(tal_coverage(ws))
    kpis.append(contact_density(ws))
    kpis += buying_group_coverage(ws, role_overrides)
    kpis.append(match_rate(ws))
    kpis.append(sales_acceptance_rate(ws, start, end, basis=acceptance_basis))
    kpis.append(follow_up_sla(ws, start, end, default_sla_hours=default_sla_hours))
    kpis.append(time_to_follow_up(ws, start, end))
    kpis.append(meetings_created(ws, start, end, include_meeting_requests=include_meeting_requests, index=ix))
    kpis.append(pipeline_sourced(ws, start, end, source=abm_source))
    kpis.append(pipeline_influenced(ws, start, end, lookback_days=influence_days, index=ix))
    kpis.append(won_revenue(ws, start, end))
    return kpis


def kpis_by_slug(kpis: Iterable[Kpi]) -> dict[str, Kpi]:
    """Return {slug: Kpi} for a list from compute_kpis."""
    return {k.slug: k for k in kpis}
