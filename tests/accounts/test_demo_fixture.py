"""The demo workspace imports cleanly, has the promised size and gaps, and matches its generator."""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from lms.abm.domains import is_free_mail
from lms.abm.vocabulary import HANDOFF_STATUSES, REJECTION_REASONS, SIGNAL_TYPES
from lms.accounts.exporting import export_rows
from lms.accounts.fields import AGREEMENT_FIELDS, IMPORT_FIELDS
from lms.accounts.importer import ExistingKeys, ImportPlan, detect_format, read_table, validate

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo_workspace"
ORDER = ("accounts", "contacts", "signals", "opportunities", "handoffs")
END = datetime(2026, 11, 15, 23, 59)


@cache
def plans() -> dict[str, ImportPlan]:
    keys = ExistingKeys()
    out = {}
    for entity in ORDER:
        table = read_table((DEMO / f"{entity}.csv").read_bytes(), f"{entity}.csv")
        detected = detect_format(table.headers)
        assert (detected.source, detected.entity) == ("abm_academy", entity)
        # Imports read only what they may write (analyse_table leaves sales' agreement out the same way).
        mapping = {h: f for h, f in detected.mapping.items() if f in IMPORT_FIELDS[entity]}
        out[entity] = validate(table, mapping, entity, existing=keys)
        keys = keys.with_plan(out[entity])
    return out


def values(entity: str) -> list[dict]:
    return [r.values for r in plans()[entity].rows]


def test_every_demo_file_validates_with_zero_errors():
    assert {entity: plan.errors for entity, plan in plans().items()} == dict.fromkeys(ORDER, [])


def test_accounts_have_the_tier_mix_regions_and_example_domains():
    accounts = values("accounts")

    assert len(accounts) == 45
    assert Counter(a["tier"] for a in accounts) == {"1:1": 5, "1:few": 15, "1:many": 25}
    assert {"United Kingdom", "United States", "Germany", "France"} <= {a["region"] for a in accounts}
    assert all(a["domain"].endswith(".example") for a in accounts if a["website"])
    assert len({a["industry"] for a in accounts}) >= 15
    assert all(a["icp_fit"] is not None and a["icp_reasons"] and a["why_selected"] for a in accounts)
    assert all(a["owner"] and a["marketing_owner"] for a in accounts)


def test_accounts_leave_a_few_gaps_for_exercises():
    accounts = values("accounts")
    missing_progress = [a for a in accounts if not a["progress_definition"]]

    assert 3 <= len(missing_progress) <= 8
    assert any(a["tier"] == "1:1" for a in missing_progress)


def test_the_accounts_file_carries_sales_verdicts_that_the_import_never_reads():
    table = read_table((DEMO / "accounts.csv").read_bytes(), "accounts.csv")
    column = {field: table.headers.index(field) for field in AGREEMENT_FIELDS}
    agreed = Counter(cells[column["sales_agreed"]] for _, cells in table.rows)

    # The file is the product's export format, which writes sales' verdicts...
    assert agreed["true"] >= 35 and agreed[""] >= 2 and agreed["false"] >= 1
    assert set(detect_format(table.headers).mapping.values()) >= set(AGREEMENT_FIELDS)
    # ...but a file cannot record agreement: the demo learner still has to get every account signed off.
    assert all(not set(AGREEMENT_FIELDS) & a.keys() for a in values("accounts"))


def test_contacts_cover_buying_groups_with_realistic_mess():
    plan = plans()["contacts"]
    contacts = values("contacts")

    assert len(contacts) >= 170
    assert plan.summary.merged >= 2  # people entered twice
    assert sum(is_free_mail(c["email"]) for c in contacts) >= 2
    assert sum(c["title"] is None for c in contacts) >= 3
    assert {c["crm_role"] for c in contacts} >= {"Champion", "Blocker"}
    per_account = Counter(c["account_external_id"] for c in contacts)
    one_to_one = [a["external_id"] for a in values("accounts") if a["tier"] == "1:1"]
    assert all(per_account[a] >= 6 for a in one_to_one)


def test_signals_span_the_year_to_15_november_2026_with_follow_up_gaps():
    signals = values("signals")

    assert len(signals) >= 300
    assert {s["type"] for s in signals} == set(SIGNAL_TYPES)
    assert all(END - timedelta(days=366) <= s["occurred_at"] <= END for s in signals)
    followed = [s for s in signals if s["followed_up_at"]]
    assert 30 <= len(followed) < len(signals) - 100
    assert all(s["followed_up_by"] and s["followed_up_at"] > s["occurred_at"] for s in followed)
    assert all(s["topic"] for s in signals)


def test_opportunities_have_stages_outcomes_and_sources_in_gbp():
    opportunities = values("opportunities")

    assert len(opportunities) >= 40
    assert {o["currency"] for o in opportunities} == {"GBP"}
    assert {o["is_won"] for o in opportunities} == {True, False, None}
    assert all((o["closed_at"] is None) == (o["is_won"] is None) for o in opportunities)
    assert all(o["closed_at"] > o["created_at"] for o in opportunities if o["closed_at"])
    sources = Counter(o["source"] for o in opportunities)
    assert sources["abm"] >= 5 and sum(sources.values()) - sources["abm"] >= 5


def test_handoffs_have_every_status_and_reasons_for_rejections():
    handoffs = values("handoffs")
    signal_ids = {s["external_id"] for s in values("signals")}

    assert len(handoffs) >= 25
    assert {h["status"] for h in handoffs} == set(HANDOFF_STATUSES)
    assert all(h["rejection_reason"] in REJECTION_REASONS for h in handoffs if h["status"] == "rejected")
    assert all(h["signal_external_id"] in signal_ids for h in handoffs)
    assert any(h["meeting_booked"] for h in handoffs)


def test_committed_files_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("demo_workspace_generate", DEMO / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    rng = generate.random.Random(generate.SEED)
    accounts = generate.make_accounts(rng)
    contacts = generate.make_contacts(rng, accounts)
    signals = generate.make_signals(rng, accounts, contacts)
    records = {
        "accounts": accounts,
        "contacts": contacts,
        "signals": signals,
        "opportunities": generate.make_opportunities(rng, accounts),
    }
    records["handoffs"] = generate.make_handoffs(rng, accounts, contacts, signals)

    for entity in ORDER:
        expected = (DEMO / f"{entity}.csv").read_bytes()
        assert export_rows(entity, records[entity], "csv", "abm_academy") == expected, entity
