"""The export download: one record type as CSV or XLSX, in our own or a CRM's headers."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from lms.accounts import labels
from lms.accounts.forms import ExportForm
from lms.accounts.queries import export_workspace
from lms.accounts.views.blueprint import MIMETYPES, bp, workspace, workspace_required
from lms.database import utcnow
from lms.extensions import db


@bp.get("/export")
@workspace_required
def export():
    """Download accounts, contacts, signals, opportunities or handoffs as CSV or XLSX, in a CRM's headers."""
    form = ExportForm(request.args)
    if not form.validate():
        abort(400)
    entity, fmt, style = form.entity.data, form.fmt.data, form.style.data
    try:
        data = export_workspace(workspace(), current_user, entity, fmt, style)
    except ValueError:
        flash(f"{labels.EXPORT_STYLES[style]} cover accounts, contacts and opportunities. Choose ABM Academy "
              f"headers to export {entity}.", "error")
        return redirect(url_for(".overview"))
    db.session.commit()
    name = f"{entity}-{style.replace('_', '-')}-{utcnow():%Y-%m-%d}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
