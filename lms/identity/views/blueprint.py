"""The identity blueprint; identity answers the learning record's questions about people. (The tenant is read
when a request first asks for g.org or g.roles: lms.TenantGlobals.)"""

from __future__ import annotations

from flask import Blueprint

from lms.identity.directory import IdentityDirectory
from lms.tracking.directory import use_directory

bp = Blueprint("identity", __name__)


@bp.record_once
def _answer_the_learning_record(state) -> None:
    """Identity owns people and tenants: the learning record asks it for their emails and names."""
    use_directory(state.app, IdentityDirectory())
