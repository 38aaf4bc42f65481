"""Form plumbing shared by every package: select choices, a checkbox-list field, the empty CSRF form and the lenient
GET form of a list's search and pages."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import Form, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def choices(pairs: Iterable[tuple[object, str]] | dict) -> list[SelectChoice]:
    """Return SelectChoice options from (value, label) pairs or a {value: label} dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def strip(value):
    """A WTForms filter that trims surrounding white space from text (pasted emails often carry it)."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (sign out, revoke, switch organisation)."""


class LenientForm(Form):
    """A GET form of a list's search, filters and page, read from the address. `settle()` (once its choices are set)
    puts each field that fails its validators, or was not sent, back to its default: an edited or stale link still
    shows the list rather than an error."""

    def settle(self) -> None:
        """Validate, then put every invalid or missing field back to its default."""
        self.validate()
        for f in self:
            if f.errors or f.data in (None, ""):
                f.data = f.default
