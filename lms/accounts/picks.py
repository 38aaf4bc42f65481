"""Choosing an account by typing its name, at any workspace size: answer forms, the forms of contacts, signals,
opportunities and handoffs (`AccountField`), and the queue of contacts with no account.

A workspace of a few dozen accounts gets a select box in each account field. A larger one (a CRM export of
thousands) gets a text box per field and one shared list to pick from as you type (a `datalist`): a table of 30
rows then carries the accounts once, not 30 times (at 3,000 accounts a 30-row table was about 1 MB of HTML with
select boxes). Either way the form sends what `Picker.resolve` turns back into account ids: an id (the select
boxes), or an account's label, which is its name, with its domain when another account has the same name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import html_params

from lms.accounts.models import Account, Workspace
from lms.extensions import db

ACCOUNTS_OFFERED = 500  # accounts a form offers to pick from, target accounts by tier first; any can be typed
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


def sent_id(text: str) -> int | None:
    """Return the account id `text` is when it is one as a select box sends it (digits, not 0), else None. The same
    rule as lms.practice.answers.parse_account, which the answer forms' pure parsing uses (accounts may not import
    practice)."""
    return int(text) if text.isdigit() and len(text) <= 18 and int(text) else None


def _key(text: str) -> str:
    """Return `text` as labels are compared: spacing collapsed, in any case."""
    return " ".join(str(text).split()).casefold()


def workspace_accounts(workspace: Workspace | None) -> list[Pickable]:
    """Return the workspace's accounts in the order forms offer them (`in_order`; one query)."""
    if workspace is None:
        return []
    rows = db.session.execute(select(Account.id, Account.name, Account.domain, Account.tier, Account.is_target)
                              .where(Account.workspace_id == workspace.id))
    return in_order(Pickable(*row) for row in rows)


def in_order(accounts: Iterable[Pickable]) -> list[Pickable]:
    """Return `accounts` as forms offer them: target accounts first, by tier (1:1, 1:few, 1:many), then by name."""
    return sorted(accounts, key=lambda a: (not a.is_target, TIERS.get(a.tier, 3), a.name.lower(), a.id))


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
    """Turns the text sent for an account (a form, the queue) into an account id; `problems` collects the texts it
    could not match (text -> why), to show beside their fields with the text kept. Reads the workspace's accounts
    only when a text is not an id (the select boxes send ids)."""

    def __init__(self, workspace: Workspace | None, accounts: list[Pickable] | None = None) -> None:
        self.workspace, self.accounts = workspace, accounts  # the workspace's accounts, if already read
        self.problems: dict[str, str] = {}
        self._by_label: dict[str, int] | None = None
        self._by_name: dict[str, list[int]] = {}

    def _index(self) -> dict[str, int]:
        if self._by_label is None:
            accounts = self.accounts if self.accounts is not None else workspace_accounts(self.workspace)
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
            return sent_id(text)  # an id, as the select boxes send
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


def account_options(accounts: Sequence[Pickable], names: Mapping[int, str], chosen: int | None,
                    empty: str = "Choose an account…") -> Markup:
    """Return a select box's options: `empty` first, then the target accounts and the others, each by its label
    (`names`) and tier, `chosen` selected."""
    parts = [Markup('<option value="">%s</option>') % empty]
    for target, heading in ((True, "Target accounts"), (False, "Other accounts")):
        group = [a for a in accounts if a.is_target is target]
        if group:
            parts.append(Markup('<optgroup label="%s">') % heading)
            parts.extend(Markup("<option %s>%s%s</option>") % (html_params(value=a.id, selected=a.id == chosen),
                                                               names[a.id], f" ({a.tier})" if a.tier else "")
                         for a in group)
            parts.append(Markup("</optgroup>"))
    return Markup("").join(parts)


def offered(accounts: Sequence[Pickable], chosen: Collection[int] = ()) -> list[Pickable]:
    """Return the accounts a form offers: the first ACCOUNTS_OFFERED of `accounts` (in workspace_accounts' order),
    and any of the others that are `chosen`, so a saved choice is always among them."""
    return [*accounts[:ACCOUNTS_OFFERED], *(a for a in accounts[ACCOUNTS_OFFERED:] if a.id in chosen)]


def account_datalist(list_id: str, accounts: Sequence[Pickable], names: Mapping[int, str]) -> Markup:
    """Return the list a typed account field offers (`accounts`, as `offered` gives them): each label with what the
    account is (its tier, or not a target)."""
    options = Markup("").join(Markup('<option value="%s">%s</option>') % (names[a.id], a.note) for a in accounts)
    return Markup('<datalist id="%s">%s</datalist>') % (list_id, options)


class AccountWidget:
    """Draws an AccountField: a select box of the workspace's accounts, or past SELECT_MAX of them a text box
    with the accounts offered to pick from as you type."""

    def __call__(self, field: AccountField, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        if field.typed:
            listed = f"{field.id}-accounts"
            box = Markup("<input %s>") % html_params(type="text", name=field.name, value=field._value(), list=listed,
                                                     autocomplete="off", spellcheck="false", **kwargs)
            return box + account_datalist(listed, offered(field.accounts, {field.data}), field.labels)
        options = account_options(field.accounts, field.labels, field.data, field.none_label or "Choose an account…")
        return Markup("<select %s>%s</select>") % (html_params(name=field.name, **kwargs), options)


class AccountField(Field):
    """The account a record belongs to; `data` is its id, or None. The view calls `offer(workspace)` before
    validating: a select box then, or a text box past SELECT_MAX accounts whose text is read as
    lms.accounts.picks reads it (a label, a name only one account has, or an id). Text that names no account of the
    workspace, or several, is an error that keeps the text. `none_label` offers "no account"; else one is needed, and
    `required` says so."""

    widget = AccountWidget()

    def __init__(self, label: str | None = None, validators=None, none_label: str | None = None,
                 required: str = "Choose the account.", **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.none_label, self.required = none_label, required
        self.accounts: list[Pickable] = []
        self.labels: dict[int, str] = {}
        self.text = ""  # what was sent, when it was not an id
        self.problem: str | None = None

    @property
    def typed(self) -> bool:
        return len(self.accounts) > SELECT_MAX

    def process_formdata(self, valuelist: list[str]) -> None:
        sent = (valuelist[0] if valuelist else "").strip()
        self.data, self.text = (sent_id(sent), "") if sent.isdigit() else (None, sent)

    def offer(self, workspace: Workspace) -> None:
        """Give the field the workspace's accounts, and read back the text sent, if any."""
        self.accounts = workspace_accounts(workspace)
        self.labels = labels(self.accounts)
        if self.typed and not self.description:
            self.description = ("Type the account's name and pick it from the list. Two accounts with the same name "
                                "show their domains.")
        if self.text:
            picker = Picker(workspace, self.accounts)
            found = picker.resolve(self.text)
            self.data, self.problem = (found, None) if isinstance(found, int) else (None, picker.problems[self.text])
        elif self.data is not None and self.data not in self.labels:
            self.problem = "Choose an account of your workspace."

    def pre_validate(self, form) -> None:
        if self.problem:
            raise StopValidation(self.problem)
        if self.data is None and self.none_label is None:
            raise StopValidation(self.required)

    def _value(self) -> str:
        if self.data in self.labels:
            return self.labels[self.data]  # typed text read back shows as the account's label
        return self.text or (str(self.data) if self.data else "")
