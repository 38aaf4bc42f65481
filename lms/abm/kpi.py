"""What a KPI figure is: the `Kpi` value, the KPI names and units, and the builders every KPI shares.

A KPI the workspace cannot compute yet has `value=None` and a `note` naming the data to add.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lms.abm.vocabulary import TIERS

UNITS = ("ratio", "count", "money", "hours")

def tier_slug(tier: str) -> str:
    """Return the slug suffix for a tier: "1:1" -> "1_1", "1:few" -> "1_few"."""
    return tier.replace(":", "_")


KPI_NAMES: dict[str, str] = {
    "engagement_rate": "Target-account engagement rate",
    **{f"engagement_rate_{tier_slug(t)}": f"Engagement rate, {t} accounts" for t in TIERS},
    "account_reach": "Account reach",
    "tal_coverage": "TAL coverage",
    "contact_density": "Contact density",
    "buying_group_coverage": "Buying-group coverage (mean)",
    "buying_group_complete": "Accounts with a complete buying group",
    "match_rate": "Lead-to-account match rate",
    "sales_acceptance_rate": "Sales acceptance rate",
    "follow_up_sla": "Follow-up SLA completion",
    "time_to_follow_up": "Median time to first follow-up",
    "meetings_created": "Meetings created",
    "pipeline_sourced": "Pipeline sourced",
    "pipeline_influenced": "Pipeline influenced",
    "won_revenue": "Won revenue",
}
KPI_SLUGS: tuple[str, ...] = tuple(KPI_NAMES)
# KPIs where a smaller value is better (a target should be below the current value).
LOWER_IS_BETTER: frozenset[str] = frozenset({"time_to_follow_up"})


@dataclass(frozen=True)
class Kpi:
    """One KPI figure with how it was computed. `value` None means not computable (see `note`)."""

    slug: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str  # one of UNITS
    definition: str
    note: str | None = None

    def as_dict(self) -> dict:
        """Return the KPI as a JSON-serialisable dict."""
        return {
            "slug": self.slug,
            "name": self.name,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "definition": self.definition,
            "note": self.note,
        }



def figure(slug: str, unit: str, definition: str, value, numerator, denominator, note=None) -> Kpi:
    """Return the named KPI `slug` with these figures."""
    return Kpi(slug, KPI_NAMES[slug], value, numerator, denominator, unit, definition, note)


def ratio_figure(slug: str, definition: str, numerator: int, denominator: int, empty_note: str, note=None) -> Kpi:
    """Return a ratio KPI, or one with no value and `empty_note` when the denominator is 0."""
    if not denominator:
        return figure(slug, "ratio", definition, None, numerator, denominator, empty_note)
    return figure(slug, "ratio", definition, numerator / denominator, numerator, denominator, note)


def window_error(start: object, end: object) -> str | None:
    """Return why [start, end) is not a usable measurement window, or None when it is."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return "The measurement window needs a start and an end date."
    if start >= end:
        return "The measurement window is empty: its start is not before its end."
    return None


def missing(slug: str, unit: str, definition: str, note: str) -> Kpi:
    """Return a KPI that cannot be computed yet, with the note that says what data to add."""
    return figure(slug, unit, definition, None, None, None, note)


NO_TARGETS = "No target accounts: import your accounts and mark the ones on your target account list."
NO_SIGNALS = "No signals in the workspace: import engagement signals (web, email, events, intent)."
NO_HANDOFFS = "No handoffs in the workspace: record the qualified signals you hand to sales."
NO_OPPS = "No opportunities in the workspace: import opportunities from your CRM (amount, created and closed dates)."


def in_window(t: object, start: datetime, end: datetime) -> bool:
    """Return True when `t` is a datetime with start <= t < end."""
    return isinstance(t, datetime) and start <= t < end
