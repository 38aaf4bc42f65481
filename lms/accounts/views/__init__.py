"""The learner's workspace pages: blueprint "accounts" under /workspace, assembled from one module per part.

blueprint (the Blueprint, workspace_required), overview, records (the five record types), signoff, importing
and exporting. The helpers every template of the blueprint gets are registered here.
"""

from __future__ import annotations

from flask_login import current_user

from lms.abm import vocabulary
from lms.accounts import labels
from lms.accounts.signoff import is_seller
from lms.accounts.views import exporting, importing, overview, records, signoff  # noqa: F401  (their routes)
from lms.accounts.views.blueprint import LIST_ENDPOINTS, bp
from lms.tenancy import has_role

__all__ = ["bp"]


@bp.context_processor
def _helpers() -> dict:
    return {"labels": labels, "vocabulary": vocabulary, "role_name": labels.role_name, "field_label": labels.field_label,
            "is_sales": current_user.is_authenticated and is_seller(current_user), "is_coach": has_role("coach"),
            "list_endpoints": LIST_ENDPOINTS, "size_label": _size_label}


def _size_label(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"
