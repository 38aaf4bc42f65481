"""The identity blueprint: every request loads its tenant here; identity answers the learning record's
questions about people."""

from __future__ import annotations

from flask import Blueprint

from lms.identity.directory import IdentityDirectory
from lms.tenancy import load_tenant
from lms.tracking.directory import use_directory

bp = Blueprint("identity", __name__)
bp.before_app_request(load_tenant)


@bp.record_once
def _answer_the_learning_record(state) -> None:
    """Identity owns people and tenants: the learning record asks it for their emails and names."""
    use_directory(state.app, IdentityDirectory())
