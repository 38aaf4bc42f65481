"""The import pages: upload a CRM file, check its preview (options, column mapping), apply it, rejected rows."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.analysis import column_samples, outcome_message, preview_rows
from lms.accounts.batches import (
    ImportRefused,
    analyse_batch,
    apply_import,
    batch_errors,
    claim_batch,
    discard_upload,
    import_limits,
    recent_batches,
    set_batch_mapping,
    set_batch_options,
    start_import,
    upload_kept,
)
from lms.accounts.exporting import errors_csv
from lms.accounts.forms import ApplyForm, ImportOptionsForm, UploadForm, mapping_form
from lms.accounts.importer import ImportFileError
from lms.accounts.models import ImportBatch
from lms.accounts.views.blueprint import LIST_ENDPOINTS, MIMETYPES, bp, workspace, workspace_required
from lms.accounts.workspaces import in_workspace_or_404
from lms.extensions import db


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.route("/import", methods=["GET", "POST"])
@workspace_required
def import_start():
    """Upload a CRM export (CSV or XLSX); it is checked and previewed before anything is imported."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch, _ = start_import(workspace(), current_user, upload.filename, upload.read(),
                                    form.entity.data or None)
        except ImportFileError as exc:
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            location = url_for(".import_preview", batch_id=batch.id)
            return jsonify(location=location) if _wants_json() else redirect(location)
        db.session.commit()  # the rejected upload stays in the import history
    if _wants_json() and request.method == "POST":
        return jsonify(errors=[e for errs in form.errors.values() for e in errs]), 422
    max_bytes, max_rows = import_limits()
    return render_template("accounts/import_start.html", form=form, max_bytes=max_bytes, max_rows=max_rows,
                           batches=recent_batches(workspace()))


@bp.route("/import/<int:batch_id>", methods=["GET", "POST"])
@workspace_required
def import_preview(batch_id: int):
    """What the file holds, how its columns are read, every rejected row and merge, then Import."""
    batch = in_workspace_or_404(ImportBatch, workspace(), batch_id)
    if not upload_kept(batch):
        return render_template("accounts/import_done.html", batch=batch)
    summary = batch.summary or {}
    options = ImportOptionsForm(prefix="opt", data={"entity": batch.entity or None,
                                                    "dayfirst": "1" if summary.get("dayfirst", True) else "0"})
    if options.save_options.data and options.validate_on_submit():
        set_batch_options(workspace(), batch, options.entity.data, options.dayfirst.data == "1")
        db.session.commit()
        return redirect(url_for(".import_preview", batch_id=batch.id))
    analysis = analyse_batch(workspace(), batch)
    mapping = (mapping_form(analysis.table.headers, analysis.entity, analysis.mapping, prefix="map")
               if analysis.entity else None)
    if mapping is not None and mapping.save_mapping.data and mapping.validate_on_submit():
        set_batch_mapping(workspace(), batch, analysis.table.headers, mapping.mapping())
        db.session.commit()
        flash("Column mapping saved: files with the same columns will be read this way next time.", "success")
        return redirect(url_for(".import_preview", batch_id=batch.id))
    return render_template("accounts/import_preview.html", batch=batch, a=analysis, options=options,
                           mapping=mapping, apply_all=ApplyForm(formdata=None, mode="all"),
                           apply_valid=ApplyForm(formdata=None, mode="valid"),
                           preview=preview_rows(analysis), samples=column_samples(analysis))


@bp.post("/import/<int:batch_id>/apply")
@workspace_required
def import_apply(batch_id: int):
    """Import the previewed file in one transaction: everything, or (if chosen) only the valid rows."""
    batch = in_workspace_or_404(ImportBatch, workspace(), batch_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for(".import_preview", batch_id=batch.id)
    if not claim_batch(batch):
        flash("This file has already been imported." if batch.status == "imported"
              else "This file can't be imported: upload it again.", "info")
        return redirect(back)
    try:
        analysis = analyse_batch(workspace(), batch)
        counts = apply_import(workspace(), current_user, analysis, only_valid=form.mode.data == "valid",
                              batch=batch)
        db.session.commit()
    except (ImportRefused, ImportFileError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", None) or str(exc), "error")
        return redirect(back)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import %s failed", batch.id)
        flash("The import failed, so nothing was imported. Try again; if it fails again, tell your coach.", "error")
        return redirect(back)
    discard_upload(batch)
    flash(outcome_message(analysis, counts), "success")
    return redirect(url_for(LIST_ENDPOINTS[batch.entity]))


@bp.get("/import/<int:batch_id>/errors.csv")
@workspace_required
def import_errors_csv(batch_id: int):
    """The rejected rows of an import, with line and reason, as a spreadsheet-safe CSV."""
    batch = in_workspace_or_404(ImportBatch, workspace(), batch_id)
    headers, records = batch_errors(workspace(), batch)
    name = f"rejected-rows-{batch.id}.csv"
    return Response(errors_csv(headers, records), mimetype=MIMETYPES["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
