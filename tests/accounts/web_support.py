"""Helpers for the workspace web tests: a team with sales and marketing, uploads and imports through the pages."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.models import Account, Contact, Handoff, ImportBatch, Opportunity, Signal, Workspace
from lms.accounts.workspaces import workspace_for
from lms.extensions import db
from lms.identity.models import Cohort, Organization, User
from tests.factories import make_cohort, make_org, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CRM = FIXTURES / "crm"
DEMO = FIXTURES / "demo_workspace"
MODELS = {"accounts": Account, "contacts": Contact, "signals": Signal, "opportunities": Opportunity,
          "handoffs": Handoff}


@dataclass
class Team:
    org: Organization
    cohort: Cohort
    marketing: User
    sales: User

    def workspace(self) -> Workspace:
        return workspace_for(self.marketing, self.org)


def make_team(org: Organization | None = None, name: str = "Northwind sales & marketing", prefix: str = "") -> Team:
    """An organisation (new unless given) with a cohort sharing one workspace: a marketer and a seller."""
    org = org or make_org("Northwind Analytics")
    cohort = make_cohort(org, name, shares_workspace=True)
    marketing = make_user(org, ("learner",), email=f"{prefix}maya@northwind.example", name="Maya Okafor",
                          job_function="marketing", cohort=cohort)
    sales = make_user(org, ("learner",), email=f"{prefix}sam@northwind.example", name="Sam Whitfield",
                      job_function="sales", cohort=cohort)
    return Team(org, cohort, marketing, sales)


def upload(client, filename: str, data: bytes, entity: str = "", xhr: bool = False):
    """POST a file to the upload page, as the form (or import.js, with xhr=True) does."""
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return client.post("/workspace/import", data={"file": (io.BytesIO(data), filename), "entity": entity},
                       content_type="multipart/form-data", headers=headers)


def upload_fixture(client, name: str, entity: str = "", folder: Path = CRM):
    return upload(client, name, (folder / name).read_bytes(), entity)


def batch_id(response) -> int:
    """The import batch a successful upload redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/workspace/import/(\d+)$", response.headers["Location"]).group(1))


def apply(client, batch: int, mode: str = "all"):
    return client.post(f"/workspace/import/{batch}/apply", data={"mode": mode})


def import_bytes(client, filename: str, data: bytes, entity: str = "", mode: str = "all"):
    """Upload, then apply; returns the apply response (a redirect to the list when it worked)."""
    return apply(client, batch_id(upload(client, filename, data, entity)), mode)


def import_fixture(client, name: str, entity: str = "", mode: str = "all", folder: Path = CRM):
    return import_bytes(client, name, (folder / name).read_bytes(), entity, mode)


def count(model, workspace_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(model)
    if workspace_id is not None:
        stmt = stmt.where(model.workspace_id == workspace_id)
    return db.session.scalar(stmt)


def batches() -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)))


def text(response) -> str:
    """The page's text with tags and surplus white space removed, for phrase assertions."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    words = re.sub(r"\s+", " ", html.unescape(body))
    return re.sub(r" ([,.;:])(?=\s|$)", r"\1", words)  # "Marsh </a>, VP" reads "Marsh, VP"
