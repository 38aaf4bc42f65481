"""The import pages: upload a CRM file, check its preview (options, column mapping), apply it, rejected rows."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms import jobs
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
from lms.accounts.labels import ENTITY_LABELS
from lms.accounts.models import ImportBatch, Workspace
from lms.accounts.views.blueprint import LIST_ENDPOINTS, MIMETYPES, bp, workspace, workspace_required
from lms.accounts.workspaces import in_workspace_or_404
from lms.extensions import db
from lms.identity.models import User

IMPORT_TIMEOUT = 30 * 60  # seconds a worker may spend on one import


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _rows(batch: ImportBatch) -> int:
    """How many data rows the previewed file has."""
    return int(((batch.summary or {}).get("counts") or {}).get("total") or 0)


def _in_background(batch: ImportBatch) -> bool:
    """True when the file is large enough to be imported as a job with a progress bar (LMS_IMPORT_JOB_ROWS)."""
    return _rows(batch) > int(current_app.config["IMPORT_JOB_ROWS"])


def _subject(batch: ImportBatch) -> str:
    return f"import-batch:{batch.id}"


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
    running = jobs.active(batch.organization_id, "import", _subject(batch))
    if running is not None and running.user_id == current_user.id:
        return redirect(url_for("jobs.show", job_id=running.id))  # being imported: its progress
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
                           apply_valid=ApplyForm(formdata=None, mode="valid"), background=_in_background(batch),
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
    if _in_background(batch):
        return _import_later(batch, only_valid=form.mode.data == "valid", back=back)
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


def _import_later(batch: ImportBatch, *, only_valid: bool, back: str):
    """Start a large file's import as a job and show its progress (a teammate's import already running: say so)."""
    entity = batch.entity or "accounts"
    job = jobs.enqueue(import_job, kind="import", title=f"Importing {batch.filename}",
                       organization_id=batch.organization_id, user_id=current_user.id, subject=_subject(batch),
                       args={"workspace_id": batch.workspace_id, "batch_id": batch.id, "only_valid": only_valid},
                       back_url=back, next_url=url_for(LIST_ENDPOINTS.get(entity, "accounts.account_list")),
                       next_label=f"See the {ENTITY_LABELS.get(entity, 'records').lower()}", timeout=IMPORT_TIMEOUT)
    if job.user_id != current_user.id:
        flash("Someone in your team is importing this file now.", "info")
        return redirect(back)
    return redirect(url_for("jobs.show", job_id=job.id))


def import_job(run: jobs.JobRun) -> str:
    """Job: apply a previewed file (every row, or only the valid ones) in one transaction, as Import does for a
    smaller file; returns the outcome in a sentence. Raises JobFailed, with nothing imported, when it can't."""
    ws = db.session.get(Workspace, run.args["workspace_id"])
    batch = db.session.get(ImportBatch, run.args["batch_id"])
    user = db.session.get(User, run.user_id) if run.user_id else None
    if ws is None or batch is None or user is None or batch.workspace_id != ws.id \
            or ws.organization_id != run.organization_id:
        raise jobs.JobFailed("This import is no longer available: upload the file again.")
    if not claim_batch(batch):
        raise jobs.JobFailed("This file has already been imported." if batch.status == "imported"
                             else "This file can't be imported: upload it again.")
    run.progress(1, 3, f"Checking {_rows(batch):,} rows")
    try:
        analysis = analyse_batch(ws, batch)
        run.progress(2, 3, f"Importing {len(analysis.rows):,} rows")
        counts = apply_import(ws, user, analysis, only_valid=run.args["only_valid"], batch=batch)
    except ImportFileError as exc:
        raise jobs.JobFailed(exc.message) from exc
    except ImportRefused as exc:
        raise jobs.JobFailed(str(exc)) from exc
    run.after_commit.append(lambda: discard_upload(batch))
    return outcome_message(analysis, counts)


@bp.get("/import/<int:batch_id>/errors.csv")
@workspace_required
def import_errors_csv(batch_id: int):
    """The rejected rows of an import, with line and reason, as a spreadsheet-safe CSV."""
    batch = in_workspace_or_404(ImportBatch, workspace(), batch_id)
    headers, records = batch_errors(workspace(), batch)
    name = f"rejected-rows-{batch.id}.csv"
    return Response(errors_csv(headers, records), mimetype=MIMETYPES["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
