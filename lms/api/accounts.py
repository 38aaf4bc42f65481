"""The target accounts of the organisation's team workspaces (personal practice workspaces stay private)."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Account, Workspace
from lms.api import scope
from lms.api.params import AccountQuery
from lms.api.schemas import Owners, WorkspaceAccount, WorkspaceRef
from lms.identity.models import Cohort


def workspace_accounts(org_id: int, query: AccountQuery) -> tuple[list[WorkspaceAccount], int]:
    """Return a page of the team workspaces' accounts, by workspace then account, and how many match. Raises
    ApiError(404) for a cohort filter that names no cohort of the organisation."""
    q = (select(*scope.COHORT, Workspace.id, Workspace.name, Account)
         .select_from(Account).join(Workspace, Workspace.id == Account.workspace_id)
         .outerjoin(Cohort, Cohort.id == Workspace.cohort_id)
         .where(Account.organization_id == org_id, Workspace.organization_id == org_id, Workspace.kind == "team")
         .order_by(Workspace.id, Account.id))
    if query.cohort is not None:
        q = q.where(Workspace.cohort_id == scope.cohort_id(org_id, query.cohort))
    if query.tier is not None:
        q = q.where(Account.tier == query.tier)
    if query.updated_since is not None:
        q = q.where(Account.updated_at >= query.updated_since)
    rows, total = scope.counted(q, query.offset, query.per_page)
    items = []
    for r in rows:
        a: Account = r[4]
        items.append(WorkspaceAccount(
            id=a.id, name=a.name, domain=a.domain, industry=a.industry, region=a.region, employees=a.employees,
            tier=a.tier, icp_fit=a.icp_fit, is_target=a.is_target, status=a.status,
            owner=Owners(sales=a.sales_owner, marketing=a.marketing_owner), sales_agreed=a.sales_agreed,
            workspace=WorkspaceRef(id=r[2], name=r[3], cohort=scope.cohort(r)), created_at=a.created_at,
            updated_at=a.updated_at))
    return items, total
