"""Imports every package's models so the metadata is complete for create_all and Alembic."""

from __future__ import annotations


def load_all() -> None:
    """Import each package's models module (a missing one fails loudly: its tables would go unmigrated)."""
    import lms.accounts.models
    import lms.assessment.models
    import lms.certificates.models
    import lms.content.models
    import lms.identity.models
    import lms.jobs
    import lms.learning.models
    import lms.practice.models
    import lms.reports.models
    import lms.tracking.models
    import lms.workshops.models  # noqa: F401
