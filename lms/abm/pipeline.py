"""Pipeline and revenue KPIs: pipeline sourced and influenced by the programme, and won revenue, in a window."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.abm.kpi import NO_OPPS, NO_SIGNALS, Kpi, figure, in_window, missing, window_error
from lms.abm.signals import SignalIndex
from lms.abm.snapshot import WorkspaceSnapshot

ABM_SOURCE = "abm"
DEFAULT_INFLUENCE_DAYS = 90


def _amount(o) -> float:
    a = o.amount
    return float(a) if isinstance(a, int | float) and not isinstance(a, bool) else 0.0


def _money_note(opps: list) -> str | None:
    parts = []
    missing = sum(1 for o in opps if not isinstance(o.amount, int | float) or isinstance(o.amount, bool))
    if missing:
        parts.append(
            f"{missing} opportunit{'y has' if missing == 1 else 'ies have'} no amount (counted as 0)."
        )
    currencies = sorted({o.currency for o in opps if o.currency})
    if len(currencies) > 1:
        parts.append(f"Mixed currencies ({', '.join(currencies)}) are summed without conversion.")
    return " ".join(parts) or None


def _money(slug: str, definition: str, opps: list, extra_note: str | None = None) -> Kpi:
    total = float(sum(_amount(o) for o in opps))
    note = " ".join(p for p in (extra_note, _money_note(opps)) if p) or None
    return figure(slug, "money", definition, total, total, len(opps), note)


def pipeline_sourced(
    ws: WorkspaceSnapshot, start: datetime, end: datetime, *, source: str = ABM_SOURCE
) -> Kpi:
    """Return Σ amount of opportunities created in the window on target accounts whose source is the programme."""
    definition = (
        f'Σ amount of opportunities created in the window on target accounts with source "{source}" '
        "(what started the deal)."
    )
    if err := window_error(start, end):
        return missing("pipeline_sourced", "money", definition, err)
    if not ws.opportunities:
        return missing("pipeline_sourced", "money", definition, NO_OPPS)
    if not any(o.source for o in ws.opportunities):
        return missing(
            "pipeline_sourced",
            "money",
            definition,
            f'No opportunity has a source: set source = "{source}" on the opportunities the programme started.',
        )
    if not any(isinstance(o.created_at, datetime) for o in ws.opportunities):
        return missing(
            "pipeline_sourced", "money", definition, "No opportunity has a created date: import created_at."
        )
    target_ids = {a.id for a in ws.targets}
    wanted = source.strip().lower()
    opps = [
        o
        for o in ws.opportunities
        if o.account_id in target_ids
        and in_window(o.created_at, start, end)
        and isinstance(o.source, str)
        and o.source.strip().lower() == wanted
    ]
    return _money("pipeline_sourced", definition, opps)


def pipeline_influenced(
    ws: WorkspaceSnapshot,
    start: datetime,
    end: datetime,
    *,
    lookback_days: int = DEFAULT_INFLUENCE_DAYS,
    index: SignalIndex | None = None,
) -> Kpi:
    """Return Σ amount of opportunities created in the window on target accounts touched before or during them.

    Influenced (module 12 and ABM-REFERENCE 4.2) = the account has at least one signal in the `lookback_days`
    before the opportunity was created, or while it was open (up to its close, or the end of the window when it
    is still open). Sourced and influenced overlap by design: report them separately.
    """
    definition = (
        "Σ amount of opportunities created in the window on target accounts with at least one signal in the "
        f"{lookback_days} days before the opportunity was created or while it was open (what helped the deal)."
    )
    if err := window_error(start, end):
        return missing("pipeline_influenced", "money", definition, err)
    if not ws.opportunities:
        return missing("pipeline_influenced", "money", definition, NO_OPPS)
    if not any(isinstance(o.created_at, datetime) for o in ws.opportunities):
        return missing(
            "pipeline_influenced",
            "money",
            definition,
            "No opportunity has a created date: import created_at.",
        )
    if not ws.signals:
        return missing("pipeline_influenced", "money", definition, NO_SIGNALS)
    ix = index or SignalIndex(ws)
    target_ids = {a.id for a in ws.targets}
    back = timedelta(days=lookback_days)
    opps = [
        o
        for o in ws.opportunities
        if o.account_id in target_ids
        and in_window(o.created_at, start, end)
        and ix.any_in(o.account_id, o.created_at - back, _open_until(o, end), end_inclusive=True)
    ]
    return _money("pipeline_influenced", definition, opps)


def _open_until(o, end: datetime) -> datetime:
    """The last moment a touch can influence `o` in a window ending at `end`: its close, or the window's end."""
    closed = o.closed_at if isinstance(o.closed_at, datetime) else None
    return min(closed, end) if closed is not None and closed >= o.created_at else end


def won_revenue(ws: WorkspaceSnapshot, start: datetime, end: datetime) -> Kpi:
    """Return Σ amount of opportunities on target accounts won (is_won) with closed_at in the window."""
    definition = "Σ amount of opportunities on target accounts closed as won in the window."
    if err := window_error(start, end):
        return missing("won_revenue", "money", definition, err)
    if not ws.opportunities:
        return missing("won_revenue", "money", definition, NO_OPPS)
    target_ids = {a.id for a in ws.targets}
    opps = [
        o
        for o in ws.opportunities
        if o.is_won is True and o.account_id in target_ids and in_window(o.closed_at, start, end)
    ]
    note = None
    if any(o.is_won is True and not isinstance(o.closed_at, datetime) for o in ws.opportunities):
        note = "Some won opportunities have no close date and are left out: import closed_at."
    return _money("won_revenue", definition, opps, note)


