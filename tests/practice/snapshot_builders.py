"""Pure builders for workspace snapshots in exercise-checker tests, and a loader for exercises/<slug>/check.py."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from datetime import datetime
from pathlib import Path

from lms.abm.snapshot import AccountSnap, ContactSnap, WorkspaceSnapshot

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
NOW = datetime(2025, 3, 3, 9, 0)

_ids = itertools.count(1000)


def load_checker(slug: str):
    """Import exercises/<slug>/check.py by path (exercise folders are not packages) and return the module."""
    name = f"lms_exercise_{slug.replace('-', '_')}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXERCISES / slug / "check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def make_account(**kw) -> AccountSnap:
    """An account with every target-account-list question answered; override any field with keywords."""
    account_id = kw.pop("id", None) or next(_ids)
    name = kw.pop("name", f"Account {account_id}")
    fields = {
        "domain": f"account-{account_id}.example",
        "website": f"https://www.account-{account_id}.example",
        "industry": "Logistics",
        "employees": 1200,
        "region": "UK",
        "is_target": True,
        "tier": "1:few",
        "icp_fit": 82,
        "icp_reasons": "UK third-party logistics firm, 1,200 staff, manual route planning across depots",
        "why_selected": "Opening two new depots this year and hiring a head of network planning",
        "sales_owner": "Priya Shah",
        "marketing_owner": "Tom Reed",
        "progress_definition": "Meeting with the operations director and a finance contact engaged by June",
        "sales_agreed": True,
        "sales_agreed_by": "Priya Shah",
        "sales_agreed_at": datetime(2025, 2, 1),
    }
    fields.update(kw)
    return AccountSnap(id=account_id, name=name, **fields)


def make_contact(account: AccountSnap | int | None, *roles: str, **kw) -> ContactSnap:
    """A contact at `account` (an AccountSnap, an id or None) holding `roles`; override fields with keywords."""
    contact_id = kw.pop("id", None) or next(_ids)
    account_id = account.id if isinstance(account, AccountSnap) else account
    domain = account.domain if isinstance(account, AccountSnap) and account.domain else "example.org"
    fields = {
        "first_name": kw.pop("first_name", "Alex"),
        "last_name": kw.pop("last_name", f"Person{contact_id}"),
        "email": f"person{contact_id}@{domain}",
        "title": "Director of Operations",
        "roles": tuple(roles),
    }
    fields.update(kw)
    return ContactSnap(id=contact_id, account_id=account_id, **fields)


def committee(account: AccountSnap, *roles: str) -> list[ContactSnap]:
    """One contact per role at `account`."""
    return [make_contact(account, role) for role in roles]


def snapshot(accounts=(), contacts=(), **kw) -> WorkspaceSnapshot:
    """A workspace snapshot at NOW with these records."""
    kw.setdefault("now", NOW)
    kw.setdefault("name", "Test workspace")
    return WorkspaceSnapshot(accounts=tuple(accounts), contacts=tuple(contacts), **kw)


ONE_TO_ONE_FULL = (
    "senior_decision_maker",
    "champion",
    "functional_owner",
    "technical_evaluator",
    "finance",
    "procurement",
)
ONE_TO_FEW_FULL = ("senior_decision_maker", "functional_owner", "technical_evaluator", "finance")


def large_workspace(n_accounts: int = 5000, contacts_per_account: int = 8) -> WorkspaceSnapshot:
    """A big, varied workspace: tiers cycling 1:1 / 1:few / 1:many, some gaps, duplicates and bad emails."""
    tiers = ("1:1", "1:few", "1:many", "1:many", "1:many")
    roles_cycle = (
        ("senior_decision_maker",),
        ("champion",),
        ("functional_owner",),
        ("technical_evaluator",),
        ("finance",),
        ("procurement",),
        ("user",),
        (),
        ("influencer", "blocker"),
    )
    accounts = []
    contacts = []
    cid = 1
    for i in range(1, n_accounts + 1):
        a = AccountSnap(
            id=i,
            name=f"Company {i} Ltd",
            domain=f"company{i}.example",
            is_target=i % 7 != 0,
            tier=tiers[i % len(tiers)] if i % 11 else None,
            icp_fit=(i * 7) % 101 if i % 13 else None,
            icp_reasons="Mid-market manufacturer with a growing field service team" if i % 3 else "big",
            why_selected="Hiring field engineers and evaluating scheduling tools this quarter"
            if i % 4
            else None,
            sales_owner="Sam" if i % 5 else None,
            marketing_owner="Kim",
            progress_definition="Meeting with the service director booked within the quarter"
            if i % 6
            else "",
            sales_agreed=(True, None, False)[i % 3],
        )
        accounts.append(a)
        for j in range(contacts_per_account + (i % 3) - 1):  # averages contacts_per_account
            email = f"user{cid}@company{i}.example"
            if cid % 97 == 0:
                email = f"user{cid}@gmail.com"
            elif cid % 89 == 0:
                email = "not-an-email"
            elif cid % 83 == 0:
                email = f"user{cid - 1}@company{i}.example"  # duplicate of the previous contact
            elif cid % 79 == 0:
                email = f"user{cid}@company{i + 1}.example"  # points at another account
            contacts.append(
                ContactSnap(
                    id=cid,
                    account_id=i if cid % 61 else None,
                    first_name=f"First{cid}",
                    last_name=f"Last{cid}",
                    email=email,
                    title="Head of Service" if cid % 17 else None,
                    roles=roles_cycle[(cid + j) % len(roles_cycle)],
                )
            )
            cid += 1
    return snapshot(accounts, contacts)
