"""Builders for honest target-account lists and buying groups, for the checkers that refuse copied answers.

snapshot_builders.make_account gives every account the same reasons, which the integrity rules read as copied:
these give each account reasons of its own, sales sign-off through the sign-off page, and titles that fit roles.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lms.abm.snapshot import AccountSnap, ContactSnap
from tests.practice.snapshot_builders import make_account, make_contact

# (name, industry, employees, why it matters now, ICP evidence, progress)
ROWS = (
    ("Harbourline Logistics", "Logistics", 1200,
     "Harbourline is opening 2 depots in Leeds and Hull this year and hiring a head of network planning",
     "Third-party logistics, 1,200 staff across nine UK depots, planning routes in spreadsheets",
     "Discovery meeting with the operations director and the IT lead by the end of Q2"),
    ("Fernhollow Labs", "Biotechnology", 750,
     "The new COO at Fernhollow joined from one of our customers and is reviewing lab scheduling",
     "Biotechnology research group, 750 staff on three sites, data must stay in the UK",
     "COO workshop held and the finance director engaged by 30 June"),
    ("Quenby Group", "Professional Services", 9500,
     "Quenby is merging four regional offices after the Ardwick acquisition; partners complain about delays",
     "Professional services, 9,500 staff, six systems after acquisitions, budget cycle starts in April",
     "Finance and IT attend a consolidation business-case session by March 2027"),
    ("Wyndle Health", "Healthcare", 85,
     "Referred by Meditrack, whose finance team uses us; the Wyndle transport contract renews in autumn",
     "Private healthcare, 85 staff, one clinic network, manual patient transport booking",
     "Two buying-group members engaged and a discovery call held within 60 days"),
    ("Pennicott Insurance", "Insurance", 480,
     "The Pennicott claims director spoke at the Leeds summit about slow field-adjuster scheduling",
     "Insurance, 480 staff, field adjusters across the north, legacy scheduling tool end of life",
     "Claims director meeting booked and a pilot scope agreed by the end of the year"),
    ("Tamberley Energy", "Energy", 2300,
     "Regulator fined Tamberley in May for missed maintenance visits; its engineering lead read our guide",
     "Energy network operator, 2,300 staff, 40 maintenance crews, paper job sheets",
     "Maintenance planning review with the head of engineering and procurement contact named by Q3"),
)


def honest_account(i: int = 0, **kw) -> AccountSnap:
    """Row `i` of ROWS as a target account with every question answered for it and signed off by a guest."""
    name, industry, employees, why, icp, progress = ROWS[i % len(ROWS)]
    fields = {"name": name, "industry": industry, "employees": employees, "why_selected": why,
              "icp_reasons": icp, "progress_definition": progress, "icp_fit": 70 + i,
              "sales_agreed_via": "guest", "sales_agreed_by": "Dana Whitlock",
              "sales_agreed_at": datetime(2025, 2, 10)}
    fields.update(kw)
    return make_account(**fields)


def honest_list(n: int = 5, **kw) -> list[AccountSnap]:
    """`n` (at most len(ROWS)) honest target accounts, each with its own reasons; keywords apply to all."""
    return [honest_account(i, **kw) for i in range(n)]


# Titles that fit each role (ABM-REFERENCE 2.3); champion and blocker come from behaviour, so any title does.
TITLE_OF = {
    "senior_decision_maker": "Chief Operating Officer",
    "functional_owner": "Director of Operations",
    "technical_evaluator": "IT Director",
    "finance": "Finance Director",
    "procurement": "Head of Procurement",
    "influencer": "Operations Manager",
    "user": "Planning Analyst",
}


def person(account: AccountSnap, *roles: str, **kw) -> ContactSnap:
    """A contact at `account` whose title fits their first non-behavioural role."""
    title_role = next((r for r in roles if r in TITLE_OF), "functional_owner")
    kw.setdefault("title", TITLE_OF[title_role])
    return make_contact(account, *roles, **kw)


def buying_group(account: AccountSnap, *roles: str) -> list[ContactSnap]:
    """One fitting contact per role; a champion is the functional owner's second role, as in module 04."""
    people = [person(account, r) for r in roles if r != "champion"]
    if "champion" in roles:
        owner = next((p for p in people if "functional_owner" in p.roles), None)
        if owner is None:
            people.append(person(account, "champion", title="Operations Manager"))
        else:
            people[people.index(owner)] = replace(owner, roles=owner.roles + ("champion",))
    return people
