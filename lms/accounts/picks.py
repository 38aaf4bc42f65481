"""Choosing an account by typing its name, at any workspace size: answer forms and the queue of contacts with no
account.

A workspace of a few dozen accounts gets a select box in each account field. A larger one (a CRM export of
thousands) gets a text box per field and one shared list to pick from as you type (a `datalist`): a table of 30
rows then carries the accounts once, not 30 times (at 3,000 accounts a 30-row table was about 1 MB of HTML with
select boxes). Either way the form sends what `Picker.resolve` turns back into account ids: an id (the select
boxes), or an account's label, which is its name, with its domain when another account has the same name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import Account, Workspace
from lms.extensions import db

SELECT_MAX = 60  # a workspace of up to this many accounts has a select box in each account field; above it, typed
TIERS = {"1:1": 0, "1:few": 1, "1:many": 2}


@dataclass(frozen=True)
class Pickable:
    """An account as an answer form offers it."""

    id: int
    name: str
    domain: str | None
    tier: str | None
    is_target: bool

    @property
    def note(self) -> str:
        """What the pick list says beside the account's label: its tier, or that it is not a target."""
        if not self.is_target:
            return "not a target account"
        return f"{self.tier} target" if self.tier else "target, no tier"


def _key(text: str) -> str:
    """Return `text` as labels are compared: spacing collapsed, in any case."""
    return " ".join(str(text).split()).casefold()


def workspace_accounts(workspace: Workspace | None) -> list[Pickable]:
    """Return the workspace's accounts, target accounts first, by tier (1:1, 1:few, 1:many) and name (one query)."""
    if workspace is None:
        return []
    rows = db.session.execute(select(Account.id, Account.name, Account.domain, Account.tier, Account.is_target)
                              .where(Account.workspace_id == workspace.id))
    return sorted((Pickable(*row) for row in rows),
                  key=lambda a: (not a.is_target, TIERS.get(a.tier, 3), a.name.lower(), a.id))


def labels(accounts: list[Pickable]) -> dict[int, str]:
    """Return a label for each account, one that no other account of the list has: its name; its name and domain
    when another account has the same name ("Acme (acme.co.uk)"); with its id as well when that is not enough."""
    names = Counter(_key(a.name) for a in accounts)
    with_domain = Counter((_key(a.name), _key(a.domain or "")) for a in accounts)
    out = {}
    for a in accounts:
        if names[_key(a.name)] == 1:
            out[a.id] = a.name
        elif a.domain and with_domain[(_key(a.name), _key(a.domain))] == 1:
            out[a.id] = f"{a.name} ({a.domain})"
        else:
            out[a.id] = f"{a.name} (#{a.id})"
    taken = Counter(_key(label) for label in out.values())  # an account literally called "Acme (acme.com)"
    return {i: label if taken[_key(label)] == 1 else f"{label} (#{i})" for i, label in out.items()}


class Picker:
    """Turns what an answer form sent for an account into an account id; `problems` collects the texts it could not
    match (text -> why), to show beside their fields with the text kept. Reads the workspace's accounts only when
    a text is not an id (the select boxes send ids)."""

    def __init__(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self.problems: dict[str, str] = {}
        self._by_label: dict[str, int] | None = None
        self._by_name: dict[str, list[int]] = {}

    def _index(self) -> dict[str, int]:
        if self._by_label is None:
            accounts = workspace_accounts(self.workspace)
            self._by_label = {_key(label): i for i, label in labels(accounts).items()}
            for a in accounts:
                self._by_name.setdefault(_key(a.name), []).append(a.id)
        return self._by_label

    def candidates(self, text: str) -> list[int]:
        """Return the ids of the accounts `text` may name: the one whose label it is, else those with that name
        (none, one, or several), in any case and spacing."""
        key = _key(text)
        found = self._index().get(key)
        return [found] if found is not None else list(self._by_name.get(key, []))

    def resolve(self, text: str) -> int | str | None:
        """Return the account id `text` names (an id, a label, or a name only one account has), None for empty
        text, or `text` itself when it names no account or several (recorded in `problems`)."""
        text = (text or "").strip()
        if not text:
            return None
        if text.isdigit():
            return int(text) if len(text) <= 18 and int(text) else None  # an id, as the select boxes send
        found = self.candidates(text)
        if len(found) == 1:
            return found[0]
        if found:
            self.problems[text] = (f"{len(found)} of your accounts are called {text}: pick one from the list as you "
                                   "type (each shows its domain).")
        else:
            self.problems[text] = (f"No account in your workspace is called {text}. Pick one from the list as you "
                                   "type; an account that is not in your workspace yet needs adding there first.")
        return text
