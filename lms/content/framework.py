"""The competency framework, courses/competencies.yaml: each competency's slug, name, description and levels.

Pure (no Flask, no database).
"""

from __future__ import annotations

from pathlib import Path

from lms.content.catalogue import Competency
from lms.content.fields import Field, label, read_fields, typed
from lms.content.problems import ReadContext
from lms.content.yaml_lines import read_yaml_file

LEVELS = (1, 2, 3, 4, 5)

FRAMEWORK_FIELDS = {"competencies": Field("list", non_empty=True)}
COMPETENCY_FIELDS = {
    "slug": Field("text"),
    "name": Field("text"),
    "description": Field("text"),
    "levels": Field("mapping"),
}


def load_competencies(path: Path, ctx: ReadContext) -> tuple[list[Competency], dict[str, int]]:
    """Return the competencies and the line of each slug; sets ctx.competency_slugs if the file parses.

    Faults are reported to `ctx`; a faulty competency is left out.
    """
    report = ctx.reporter(path)
    parsed = read_yaml_file(path, report)
    if parsed is None:
        return [], {}
    data, lines = parsed
    values = read_fields(data, lines, FRAMEWORK_FIELDS, report, missing_line=1)
    competencies: list[Competency] = []
    slug_lines: dict[str, int] = {}
    for index, item in enumerate(values.get("competencies", [])):
        item_lines = lines.node("competencies", index)
        if not isinstance(item, dict):
            report(item_lines.line, f"competency {index + 1} must be a mapping of fields")
            continue
        name = label("competency", item.get("slug"), index)
        fields = read_fields(item, item_lines, COMPETENCY_FIELDS, report, item_lines.line, f"{name}: ")
        slug = fields.get("slug")
        if slug is not None:
            if slug in slug_lines:
                report(item_lines.at("slug"), f"duplicate competency slug '{slug}'")
                continue
            slug_lines[slug] = item_lines.at("slug")
        levels = fields.get("levels")
        if levels is not None and (
            set(levels) != set(LEVELS) or not all(typed(text, "text") for text in levels.values())
        ):
            report(item_lines.at("levels"), f"{name}: 'levels' must describe each of levels 1 to 5")
            continue
        if len(fields) == len(COMPETENCY_FIELDS):
            competencies.append(
                Competency(
                    slug=fields["slug"],
                    name=fields["name"],
                    description=fields["description"],
                    levels={key: levels[key].strip() for key in LEVELS},
                )
            )
    ctx.competency_slugs = set(slug_lines)
    return competencies, slug_lines
