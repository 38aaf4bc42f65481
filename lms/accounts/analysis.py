"""Stage 6 of an import: a file read, recognised, validated and resolved against the workspace, i.e. what
importing it would do, shown in the preview and applied by lms.accounts.batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lms.accounts.fields import ENTITIES, FIELDS, HELPER_FIELDS, IMPORT_FIELDS, READ_ONLY_FIELDS
from lms.accounts.importer import (
    WARNING_GROUPS,
    MissingColumnsError,
    RowError,
    RowWarning,
    Table,
    detect_format,
    mapping_fingerprint,
    validate,
)
from lms.accounts.labels import field_label
from lms.accounts.models import Workspace
from lms.accounts.resolution import ResolvedRow, WorkspaceIndex, resolve_rows


@dataclass
class ImportCounts:
    """How many rows of a file are new, update a record, change nothing, were merged or were rejected."""

    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a plain dict (stored in a batch's summary and statements)."""
        return dict(self.__dict__)


@dataclass
class ImportAnalysis:
    """A file read, recognised and checked against the workspace, ready to show or to apply."""

    filename: str
    table: Table
    source: str
    entity: str | None
    mapping: dict[str, str]
    mapping_origin: str  # "detected" | "saved" (the workspace remembered it) | "chosen" (for this batch)
    fingerprint: str
    ignored: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()  # headers holding sales' agreement: left out, only sign-off sets it
    dayfirst: bool = True
    missing: MissingColumnsError | None = None
    rows: list[ResolvedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # in-file duplicates folded into an earlier line
    domain_matches: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, who, account, why
    domain_conflicts: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)  # rows imported with something to check
    counts: ImportCounts = field(default_factory=ImportCounts)

    @property
    def needs_entity(self) -> bool:
        """True when the learner must say what the file holds (it was not recognised)."""
        return self.entity is None

    @property
    def needs_mapping(self) -> bool:
        """True when the columns must be mapped by hand: one is missing, or the format was not recognised."""
        if self.entity is None:
            return False
        return self.missing is not None or (self.source == "unknown" and self.mapping_origin == "detected")

    @property
    def ready(self) -> bool:
        """True when the entity is known and every column it needs is mapped."""
        return self.entity is not None and self.missing is None

    def warning_groups(self, examples: int = 5) -> list[tuple[str, str, int, list[RowWarning]]]:
        """Return the warnings grouped by kind, in WARNING_GROUPS order: (kind, heading, rows, the first few)."""
        groups: dict[str, list[RowWarning]] = {}
        for w in self.warnings:
            groups.setdefault(w.kind, []).append(w)
        return [(kind, WARNING_GROUPS[kind], len({w.line for w in groups[kind]}), groups[kind][:examples])
                for kind in WARNING_GROUPS if kind in groups]

    @property
    def rejected_lines(self) -> int:
        """Return how many lines of the file were rejected."""
        return self.counts.rejected


def _entity_of_mapping(mapping: Mapping[str, str]) -> str | None:
    used = {f for f in mapping.values() if f}
    for entity in ENTITIES:
        allowed = set(FIELDS[entity]) | set(HELPER_FIELDS.get(entity, ()))
        if used and used <= allowed:
            return entity
    return None


def _names_read_only(header: str, fields: set[str]) -> bool:
    """True when a header is named after a read-only field, e.g. "Sales agreed by" or "sales_agreed"."""
    words = " ".join(header.lower().replace("_", " ").replace("-", " ").split())
    return any(words in (f.replace("_", " "), field_label(f).lower()) for f in fields)


def analyse_table(ws: Workspace, table: Table, filename: str, *, entity: str | None = None,
                  mapping: Mapping[str, str] | None = None, dayfirst: bool = True) -> ImportAnalysis:
    """Recognise a table, validate every row against the workspace and resolve each to a record.

    The mapping is, in order: `mapping` (chosen for this batch), the workspace's remembered mapping for
    these headers, or what detect_format recognised. Reads the workspace in a fixed number of queries.
    """
    fingerprint = mapping_fingerprint(table.headers)
    saved = (ws.column_mappings or {}).get(fingerprint)
    detected = detect_format(table.headers, entity)  # type: ignore[arg-type]
    if mapping is not None:
        used, origin = dict(mapping), "chosen"
    elif saved and (entity is None or _entity_of_mapping(saved) in (entity, None)):
        used, origin = dict(saved), "saved"
    else:
        used, origin = dict(detected.mapping), "detected"
    chosen_entity = entity or (detected.entity if origin == "detected" else _entity_of_mapping(used))
    chosen_entity = chosen_entity or detected.entity
    analysis = ImportAnalysis(filename=filename, table=table, source=detected.source, entity=chosen_entity,
                              mapping=used, mapping_origin=origin, fingerprint=fingerprint,
                              ignored=detected.ignored, dayfirst=dayfirst)
    if chosen_entity is None:
        return analysis
    read_only = set(READ_ONLY_FIELDS.get(chosen_entity, ()))
    analysis.read_only = tuple(h for h in table.headers if h and (used.get(h) in read_only
                                                                  or _names_read_only(h, read_only)))
    allowed = set(IMPORT_FIELDS[chosen_entity]) | set(HELPER_FIELDS.get(chosen_entity, ()))
    used = {h: f for h, f in used.items() if f in allowed}
    analysis.mapping = used
    index = WorkspaceIndex(ws, chosen_entity)
    try:
        plan = validate(table, used, chosen_entity, existing=index.keys,  # type: ignore[arg-type]
                        account_resolver=index.resolver, dayfirst=dayfirst)
    except MissingColumnsError as exc:
        analysis.missing = exc
        return analysis
    mapped = {f for f in used.values() if f}
    # Fields validate() derives from others count as mapped: names from a full name, won from the stage.
    if "full_name" in mapped:
        mapped |= {"first_name", "last_name"}
    if mapped & {"stage", "is_closed"}:
        mapped.add("is_won")
    analysis.errors = [index.explain(e) for e in plan.errors]
    resolution = resolve_rows(index, plan.rows, mapped)
    analysis.rows = resolution.rows
    analysis.merges = [*(str(m) for m in plan.merges if m.kind == "in_file"), *resolution.merges]
    analysis.domain_matches, analysis.domain_conflicts = resolution.domain_matches, resolution.domain_conflicts
    analysis.notes = resolution.notes
    kept = {row.line for row in analysis.rows} | {m.line for m in plan.merges}
    analysis.warnings = [index.explain_warning(w) for w in plan.warnings if w.line in kept]
    actions = [row.action for row in analysis.rows]
    analysis.counts = ImportCounts(
        total=plan.summary.total, new=actions.count("new"), updated=actions.count("update"),
        unchanged=actions.count("unchanged"), merged=len(analysis.merges),
        rejected=len({e.line for e in plan.errors}))
    return analysis


def preview_rows(analysis: ImportAnalysis, limit: int = 10) -> tuple[list[str], list[tuple[int, str, dict]]]:
    """Return (canonical fields to show, the first accepted rows as (line, action, values))."""
    rows = analysis.rows[:limit]
    if not analysis.entity:
        return [], []
    fields = [f for f in (*IMPORT_FIELDS[analysis.entity], "domain")
              if any(r.values.get(f) not in (None, "", ()) for r in rows)]
    return fields, [(r.line, r.action, {k: display_number(v) for k, v in r.values.items()}) for r in rows]


def display_number(value):
    """Return a number as a person reads it ("180,000,000", "1,250.50"); any other value unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """Return "1 row", "2 rows" (or `many`)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def column_samples(analysis: ImportAnalysis, limit: int = 3) -> dict[str, list[str]]:
    """Return up to `limit` distinct non-empty example values per column header, for the mapping form."""
    samples: dict[str, list[str]] = {h: [] for h in analysis.table.headers if h}
    for _line, cells in analysis.table.rows[:200]:
        for header, cell in zip(analysis.table.headers, cells, strict=False):
            values = samples.get(header)
            text = cell.strip()[:40]
            if values is not None and text and len(values) < limit and text not in values:
                values.append(text)
    return samples


def outcome_message(analysis: ImportAnalysis, counts: ImportCounts) -> str:
    """Return the one-line summary shown after an import."""
    what = analysis.entity or "records"
    parts = [f"{counts.new} new", f"{counts.updated} updated"]
    if counts.unchanged:
        parts.append(f"{counts.unchanged} unchanged")
    text = f"Imported {what} from {analysis.filename}: {', '.join(parts)}."
    if counts.merged:
        text += f" {plural(counts.merged, 'duplicate row')} {'was' if counts.merged == 1 else 'were'} merged."
    if counts.rejected:
        text += f" {plural(counts.rejected, 'row')} with errors {'was' if counts.rejected == 1 else 'were'} left out."
    unlinked = len({w.line for w in analysis.warnings if w.kind == "no_account"})
    if unlinked:
        text += (f" {plural(unlinked, 'contact')} {'has' if unlinked == 1 else 'have'} no account yet: link "
                 f"{'it' if unlinked == 1 else 'them'} in Contacts with no account yet.")
    return text
