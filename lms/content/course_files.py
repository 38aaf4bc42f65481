"""One course folder, courses/<course-slug>/: its course.yaml and the module files it lists, in order.

Pure (no Flask, no database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms.content.catalogue import Course, Module
from lms.content.fields import Field, read_fields
from lms.content.module_files import MODULE_FILE, load_module
from lms.content.problems import ReadContext, Report
from lms.content.yaml_lines import Lines, read_yaml_file

AUDIENCES = ("public", "in-house")

COURSE_FIELDS = {
    "slug": Field("text"),
    "title": Field("text"),
    "audience": Field("text"),
    "summary": Field("text"),
    "outcomes": Field("texts", non_empty=True),
    "pass_mark": Field("int"),
    "required_exercises": Field("texts", required=False),
    "certificate": Field("mapping"),
    "workshop": Field("mapping", required=False),
    "modules": Field("texts", non_empty=True),
}
CERTIFICATE_FIELDS = {"issue": Field("bool"), "validity_months": Field("int", required=False)}
# How the course runs as a dated workshop: the modules to do before the session, whether completing the course
# needs the session attended, and how many days after it the follow-up exercises are due.
WORKSHOP_FIELDS = {
    "prework": Field("texts", required=False),
    "attendance_required": Field("bool", required=False),
    "follow_up_days": Field("int", required=False),
}


def load_course(course_dir: Path, ctx: ReadContext, course_files: dict[str, str]) -> Course | None:
    """Return the course in `course_dir`, or None after reporting its problems (modules included) to `ctx`.

    `course_files` maps each course slug seen so far to its course.yaml, so a duplicate slug is reported.
    """
    path = course_dir / "course.yaml"
    report = ctx.reporter(path)
    problems_before = len(ctx.problems)
    parsed = read_yaml_file(path, report)
    if parsed is None:
        ctx.coverage_known = False
        return None
    data, lines = parsed
    values = read_fields(data, lines, COURSE_FIELDS, report, missing_line=1)
    if "modules" not in values:
        ctx.coverage_known = False

    slug = values.get("slug")
    if slug is not None:
        if slug != course_dir.name:
            report(lines.at("slug"), f"slug '{slug}' does not match the folder name '{course_dir.name}'")
        if slug in course_files:
            report(lines.at("slug"), f"duplicate course slug '{slug}' (also in {course_files[slug]})")
        else:
            course_files[slug] = ctx.rel(path)
    audience = values.get("audience")
    if audience is not None and audience not in AUDIENCES:
        report(lines.at("audience"), f"'audience' must be 'public' or 'in-house', not '{audience}'")
    pass_mark = values.get("pass_mark")
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        report(lines.at("pass_mark"), f"'pass_mark' must be between 0 and 100, not {pass_mark}")
    for index, exercise in enumerate(values.get("required_exercises", ())):
        if ctx.exercise_slugs is not None and exercise not in ctx.exercise_slugs:
            report(lines.at("required_exercises", index), f"unknown exercise '{exercise}'")
    certificate: dict[str, Any] = {}
    if "certificate" in values:
        cert_lines = lines.node("certificate")
        certificate = read_fields(
            values["certificate"], cert_lines, CERTIFICATE_FIELDS, report, cert_lines.line, "certificate: "
        )
        months = certificate.get("validity_months")
        if months is not None and months < 1:
            report(cert_lines.at("validity_months"), "certificate: 'validity_months' must be at least 1")

    workshop: dict[str, Any] = {}
    if "workshop" in values:
        ws_lines = lines.node("workshop")
        workshop = read_fields(values["workshop"], ws_lines, WORKSHOP_FIELDS, report, ws_lines.line, "workshop: ")
        listed = set(values.get("modules", ()))
        for index, slug in enumerate(workshop.get("prework", ())):
            if slug not in listed:
                report(ws_lines.at("prework", index), f"workshop: pre-work '{slug}' is not one of this course's modules")
        days = workshop.get("follow_up_days")
        if days is not None and not 1 <= days <= 90:
            report(ws_lines.at("follow_up_days"), f"workshop: 'follow_up_days' must be between 1 and 90, not {days}")

    modules = load_modules(course_dir, values.get("modules", ()), lines, ctx, report)
    if len(ctx.problems) != problems_before:
        return None
    return Course(
        slug=values["slug"],
        title=values["title"],
        audience=values["audience"],
        summary=values["summary"],
        outcomes=values["outcomes"],
        pass_mark=values["pass_mark"],
        required_exercises=values.get("required_exercises", ()),
        certificate_issue=certificate["issue"],
        validity_months=certificate.get("validity_months"),
        prework=workshop.get("prework", ()),
        attendance_required=workshop.get("attendance_required", False),
        follow_up_days=workshop.get("follow_up_days", 14),
        modules=tuple(modules),
        path=course_dir,
    )


def load_modules(
    course_dir: Path, listed: tuple[str, ...], lines: Lines, ctx: ReadContext, report: Report
) -> list[Module]:
    """Return the listed modules in course order, reporting missing, unlisted and misnamed module files."""
    files: dict[str, Path] = {}
    for path in sorted(course_dir.glob("*.md")):
        match = MODULE_FILE.match(path.name)
        if match is None:
            ctx.reporter(path)(1, "module file name must look like NN-module-slug.md")
        elif match["slug"] in files:
            other = ctx.rel(files[match["slug"]])
            ctx.reporter(path)(1, f"duplicate module slug '{match['slug']}' (also in {other})")
        else:
            files[match["slug"]] = path

    modules: list[Module] = []
    seen: set[str] = set()
    for index, slug in enumerate(listed):
        if slug in seen:
            report(lines.at("modules", index), f"module '{slug}' is listed twice")
            continue
        seen.add(slug)
        if slug not in files:
            report(lines.at("modules", index), f"module '{slug}' has no file NN-{slug}.md in this folder")
            continue
        module = load_module(files[slug], course_dir, len(seen), ctx, listed=True)
        if module is not None:
            modules.append(module)
    for slug, path in files.items():
        if slug not in seen:
            ctx.reporter(path)(1, f"module '{slug}' is not listed in course.yaml")
            load_module(path, course_dir, 0, ctx, listed=False)
    return modules
