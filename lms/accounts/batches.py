"""The import batch lifecycle: upload (kept for the preview), options and mapping, apply, rejected rows.

Stage 7 of an import, the only one that writes: records are added or updated, the batch and a statement kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update

from lms.accounts.analysis import ImportAnalysis, ImportCounts, analyse_table
from lms.accounts.fields import ENTITIES
from lms.accounts.importer import ImportFileError, Table, mapping_fingerprint, read_table
from lms.accounts.models import ENTITY_MODELS, ImportBatch, Workspace
from lms.accounts.workspaces import record_statement
from lms.collector import cycle_collection_paused
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User


class ImportRefused(Exception):
    """Applying was refused: the file has errors and the learner did not choose to import only valid rows."""


def import_limits() -> tuple[int, int]:
    """Return (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS) from the app's settings."""
    cfg = current_app.config
    return int(cfg["IMPORT_MAX_BYTES"]), int(cfg["IMPORT_MAX_ROWS"])


def _storage(batch_id: int) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "imports" / str(batch_id)


def read_upload(data: bytes, filename: str) -> Table:
    """Return the decoded table of an upload within the configured limits; raises ImportFileError."""
    max_bytes, max_rows = import_limits()
    return read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)


@cycle_collection_paused()
def start_import(ws: Workspace, user: User, filename: str, data: bytes, entity: str | None = None
                 ) -> tuple[ImportBatch, ImportAnalysis]:
    """Read an upload, keep its bytes for the preview, and return (batch, analysis).

    Raises ImportFileError (after recording a 'rejected' batch) when the file cannot be read at all:
    too large, too many rows, empty, header-only, binary or undecodable.
    """
    _forget_stale_uploads(ws)
    filename = Path(filename or "upload.csv").name[:300]
    try:
        table = read_upload(data, filename)
    except ImportFileError as exc:
        db.session.add(ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                                   filename=filename, entity=entity or "", source="unknown", status="rejected",
                                   summary={"problem": exc.kind},
                                   errors=[{"line": None, "field": None, "reason": exc.message}]))
        db.session.flush()
        raise
    batch = ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                        filename=filename, entity=entity or "", source="unknown", status="previewed",
                        summary={}, errors=[])
    db.session.add(batch)
    db.session.flush()
    path = _storage(batch.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    analysis = analyse_table(ws, table, filename, entity=entity or None)
    _remember_analysis(batch, analysis)
    return batch, analysis


def _forget_stale_uploads(ws: Workspace, older_than: timedelta = timedelta(days=1)) -> None:
    """Delete the kept bytes of this workspace's previews abandoned for more than a day."""
    stale = db.session.scalars(select(ImportBatch.id).where(
        ImportBatch.workspace_id == ws.id, ImportBatch.status == "previewed",
        ImportBatch.created_at < utcnow() - older_than))
    for batch_id in stale:
        _storage(batch_id).unlink(missing_ok=True)


def upload_kept(batch: ImportBatch) -> bool:
    """Return True while the uploaded bytes of a previewed batch are still kept."""
    return batch.status == "previewed" and _storage(batch.id).exists()


@cycle_collection_paused()
def analyse_batch(ws: Workspace, batch: ImportBatch) -> ImportAnalysis:
    """Re-read a previewed batch's kept file with its chosen entity, mapping and date order.

    Raises ImportFileError when the file is no longer kept (or can no longer be read).
    """
    path = _storage(batch.id)
    if batch.status != "previewed" or not path.exists():
        raise ImportFileError("The uploaded file is no longer kept. Upload it again to import it.")
    table = read_upload(path.read_bytes(), batch.filename)
    summary = batch.summary or {}
    return analyse_table(ws, table, batch.filename, entity=batch.entity or None,
                         mapping=summary.get("mapping") if summary.get("mapping_origin") == "chosen" else None,
                         dayfirst=summary.get("dayfirst", True))


def set_batch_options(ws: Workspace, batch: ImportBatch, entity: str, dayfirst: bool) -> ImportAnalysis:
    """Change what a previewed file holds and how its dates read; the mapping is detected again."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    batch.entity = entity
    batch.summary = {**(batch.summary or {}), "dayfirst": dayfirst, "mapping_origin": "detected"}
    analysis = analyse_batch(ws, batch)
    _remember_analysis(batch, analysis)
    return analysis


def set_batch_mapping(ws: Workspace, batch: ImportBatch, headers: list[str], mapping: Mapping[str, str]
                      ) -> ImportAnalysis:
    """Use the learner's column mapping for this file, and remember it for files with the same headers."""
    clean = {h: (mapping.get(h) or "") for h in headers if h}
    fingerprint = mapping_fingerprint(headers)
    ws.column_mappings = {**(ws.column_mappings or {}), fingerprint: clean}
    batch.summary = {**(batch.summary or {}), "mapping": clean, "mapping_origin": "chosen"}
    analysis = analyse_batch(ws, batch)
    _remember_analysis(batch, analysis)
    return analysis


def _remember_analysis(batch: ImportBatch, analysis: ImportAnalysis) -> None:
    batch.entity = analysis.entity or ""
    batch.source = analysis.source
    batch.summary = {
        **(batch.summary or {}),
        "headers": analysis.table.headers,
        "mapping": analysis.mapping,
        "mapping_origin": analysis.mapping_origin,
        "dayfirst": analysis.dayfirst,
        "counts": analysis.counts.as_dict(),
    }
    batch.errors = _error_records(analysis)


def _error_records(analysis: ImportAnalysis) -> list[dict]:
    cells = dict(analysis.table.rows)
    headers = analysis.table.headers
    out = []
    for e in analysis.errors:
        row = cells.get(e.line or -1)
        out.append({"line": e.line, "field": e.field, "reason": e.reason,
                    "values": dict(zip(headers, row, strict=False)) if row else {}})
    if analysis.missing is not None:
        out.append({"line": None, "field": None, "reason": analysis.missing.message, "values": {}})
    return out


def batch_errors(ws: Workspace, batch: ImportBatch) -> tuple[list[str], list[dict]]:
    """Return (the file's headers, its rejected rows): fresh from the kept file, else as stored at import."""
    if upload_kept(batch):
        try:
            analysis = analyse_batch(ws, batch)
        except ImportFileError:
            pass
        else:
            return list(analysis.table.headers), _error_records(analysis)
    return list((batch.summary or {}).get("headers") or []), list(batch.errors or [])


@cycle_collection_paused()
def apply_import(ws: Workspace, user: User, analysis: ImportAnalysis, *, only_valid: bool = False,
                 batch: ImportBatch | None = None, log_unchanged: bool = True) -> ImportCounts:
    """Write an analysed file into the workspace: new records added, matched ones updated. Flushes.

    Never blanks a filled field with an empty cell. Records one 'imported' statement with the counts
    (skipped when nothing changed and `log_unchanged` is False, so re-running the demo changes nothing).
    Raises ImportRefused when the file has rejected rows (or cannot be read as mapped) and `only_valid`
    is not set.
    """
    if not analysis.ready or analysis.needs_mapping:
        raise ImportRefused("Choose what the file holds and confirm how its columns are read first.")
    if analysis.errors and not only_valid:
        n = analysis.counts.rejected
        raise ImportRefused(f"{n} {'row has' if n == 1 else 'rows have'} errors. Fix them and upload the file again, "
                            "or import only the valid rows.")
    if not analysis.rows:
        raise ImportRefused("No row of this file can be imported.")
    entity = analysis.entity
    assert entity is not None
    model = ENTITY_MODELS[entity]
    now = utcnow()
    stamp = {"updated_at": now} if "updated_at" in model.__table__.c else {}
    new_rows, changed_rows = [], []
    for row in analysis.rows:
        if row.target is None:
            new_rows.append(row.changes)
        elif row.changes:
            changed_rows.append({"id": row.target.id, **row.changes, **stamp})
    db.session.flush()
    if changed_rows:
        # An ORM bulk UPDATE by primary key: one executemany per set of changed columns.
        db.session.execute(update(model), changed_rows)
    if new_rows:
        # One executemany INSERT of the table: ten times faster than one ORM object a row, and a third faster
        # than the ORM's bulk insert, which splits rows with different keys into separate batches.
        db.session.execute(insert(model.__table__), uniform_rows(
            model, new_rows, {"organization_id": ws.organization_id, "workspace_id": ws.id}))
    counts = analysis.counts
    if batch is None:
        batch = ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                            filename=analysis.filename, entity=entity, source=analysis.source, summary={},
                            errors=[])
        if not log_unchanged and not (counts.new or counts.updated):
            return counts
        db.session.add(batch)
        _remember_analysis(batch, analysis)
    batch.status = "imported"
    batch.summary = {**(batch.summary or {}), "counts": counts.as_dict(), "imported_at": now.isoformat()}
    db.session.flush()
    record_statement(user, "imported", ws, "import", batch.id, f"{entity} from {analysis.filename}",
                     {"entity": entity, "source": analysis.source, **counts.as_dict()})
    return counts


def uniform_rows(model: type, rows: list[dict[str, Any]], common: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return new rows of a model's table, each with the `common` values, all with one set of keys as a single
    executemany INSERT needs.

    A column some row leaves out gets its default, worked out once for the whole import (every record of one
    import has the same creation time), or NULL when it has none. Raises TypeError for a default that is not
    a Python value or function (a SQL expression or sequence), which an executemany cannot apply per row.
    """
    table = model.__table__
    present = set(common).union(*rows)
    fill: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.primary_key or (default is None and column.key not in present):
            continue
        if default is None:
            fill[column.key] = None
        elif default.is_scalar:
            fill[column.key] = default.arg
        elif default.is_callable:
            fill[column.key] = default.arg(None)
        else:
            raise TypeError(f"{table.name}.{column.key}: a default an import cannot compute once")
    return [{**fill, **common, **row} for row in rows]


def claim_batch(batch: ImportBatch) -> bool:
    """Lock a batch's row for this transaction and return True if it still waits to be imported.

    A second click on Import, arriving while the first is still writing, then finds it imported.
    """
    db.session.refresh(batch, with_for_update=True)
    return batch.status == "previewed"


def discard_upload(batch: ImportBatch) -> None:
    """Delete the kept bytes of an applied batch (call after the commit)."""
    _storage(batch.id).unlink(missing_ok=True)


@cycle_collection_paused()
def import_file(ws: Workspace, user: User, filename: str, data: bytes, *, entity: str | None = None,
                only_valid: bool = False, log_unchanged: bool = True) -> tuple[ImportAnalysis, ImportCounts]:
    """Analyse and apply a file in one go (demo data, benchmarks); returns (analysis, counts). Flushes.

    Raises ImportFileError when the file cannot be read and ImportRefused as apply_import does.
    """
    table = read_upload(data, filename)
    analysis = analyse_table(ws, table, filename, entity=entity)
    if analysis.missing is not None:
        raise ImportRefused(analysis.missing.message)
    counts = apply_import(ws, user, analysis, only_valid=only_valid, log_unchanged=log_unchanged)
    return analysis, counts


def recent_batches(ws: Workspace, limit: int = 10) -> list[ImportBatch]:
    """Return the workspace's latest imports and previews, newest first."""
    return list(db.session.scalars(select(ImportBatch).where(ImportBatch.workspace_id == ws.id)
                                   .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit)))
