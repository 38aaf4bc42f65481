"""Helpers for the importer tests: the CRM fixture files, a plan from a file or CSV text, a small workspace."""

from __future__ import annotations

from pathlib import Path

from lms.accounts.importer import ExistingKeys, ImportPlan, Table, detect_format, read_table, validate

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


def load(name: str, as_name: str | None = None) -> Table:
    return read_table((CRM / name).read_bytes(), as_name or name)


def plan(name: str, existing: ExistingKeys | None = None) -> ImportPlan:
    table = load(name)
    detected = detect_format(table.headers)
    assert detected.entity is not None
    return validate(table, detected.mapping, detected.entity, existing=existing)


def by_name(p: ImportPlan, key: str = "name") -> dict[str, dict]:
    return {r.values[key]: r.values for r in p.rows}


def csv_plan(text: str, entity: str, **kwargs):
    table = read_table(text.encode("utf-8"), "upload.csv")
    mapping = detect_format(table.headers, entity=entity).mapping  # type: ignore[arg-type]
    return validate(table, mapping, entity, **kwargs)  # type: ignore[arg-type]


def messages(plan) -> list[str]:
    return [str(e) for e in plan.errors]


WORKSPACE = ExistingKeys.from_records(
    accounts=[
        {"name": "Larkspur Devices, Inc.", "website": "https://www.larkspur-devices.example", "external_id": "A-1"},
        {"name": "Kettlewell & Sons GmbH", "website": "kettlewell-sons.example"},
    ],
    contacts=[{"email": "Jo.Marsh@larkspur-devices.example", "first_name": "Jo", "last_name": "Marsh"}],
)
