"""The CRM file importer: pure stages an upload passes through in this order, each importing only earlier ones.

reading (bytes -> Table) -> detection (which CRM and records; column mapping) -> values (cell -> typed value)
-> row_rules (what a row needs; what it is warned about) -> validation (Table -> ImportPlan of rows, rejected
lines, warnings, merges); then resolution, analysis, batches.
"""

from lms.accounts.importer.detection import detect_format, mapping_fingerprint
from lms.accounts.importer.reading import ImportFileError, RowError, Table, read_table
from lms.accounts.importer.row_rules import WARNING_GROUPS, RowWarning, clear_caches, person_key
from lms.accounts.importer.validation import (
    CanonicalRow,
    ExistingKeys,
    ImportPlan,
    MissingColumnsError,
    validate,
)

__all__ = [
    "CanonicalRow",
    "ExistingKeys",
    "ImportFileError",
    "ImportPlan",
    "MissingColumnsError",
    "RowError",
    "RowWarning",
    "WARNING_GROUPS",
    "clear_caches",
    "person_key",
    "Table",
    "detect_format",
    "mapping_fingerprint",
    "read_table",
    "validate",
]
