"""Use of the practice outside the academy: per trained person and practice, the uses their own tools reported in
the weeks before and after their training, and laggards who completed training but have not used it since.

Tool usage is the organisation's statements from other tools (source "lrs" or "csv") that its tool mappings count
as a practice, attributed to people by actor. Four queries whatever the number of people or statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, and_, cast, func, literal, literal_column, select, union, union_all

from lms.abm.vocabulary import PRACTICES
from lms.content.models import Module
from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import Enrolment
from lms.reports.dialect import as_datetime, plus_days
from lms.reports.filters import Filters
from lms.reports.queries.scope import learner_ids
from lms.tracking.models import Statement
from lms.tracking.tool_mappings import external_statements, mappings_of, rule_of, statement_condition

LAGGARD_AFTER_DAYS = 7  # completed this long ago, and no use since: a laggard (before that: just trained)
PAGE_ROWS = 200


@dataclass(frozen=True)
class PracticeUseRow:
    """One trained person and one practice their training taught."""

    user_id: int
    name: str
    email: str
    job_function: str
    practice: str
    trained_at: datetime  # their first completion of a course teaching the practice's competency
    before: int  # uses in the N weeks before trained_at
    after: int  # uses in the N weeks from trained_at (fewer weeks so far when training was recent)
    since: int  # uses from trained_at up to the report's end
    last_use: datetime | None
    weeks_after_so_far: int  # whole weeks of the "after" window that have passed (at most N)
    status: str  # using | laggard | new

    @property
    def label(self) -> str:
        """The practice's label."""
        return PRACTICES[self.practice].label


@dataclass(frozen=True)
class PracticeSummary:
    """One practice across the trained people: how many used it before and after training, and the laggards."""

    practice: str
    label: str
    competency: str
    trained: int
    used_before: int
    used_after: int
    using: int
    laggards: int
    uses_before: int
    uses_after: int


@dataclass
class PracticeUse:
    """The report section: the mapped practices' summaries, the people rows (laggards first), their totals."""

    weeks: int
    until: datetime
    mapped: list[str]  # practices some tool mapping counts
    summaries: list[PracticeSummary] = field(default_factory=list)
    rows: list[PracticeUseRow] = field(default_factory=list)  # at most PAGE_ROWS unless full
    total_rows: int = 0
    laggard_total: int = 0
    untaught: list[str] = field(default_factory=list)  # mapped practices no course teaches


def _course_practices(practices: list[str]) -> dict[int, set[str]]:
    """{course id: the mapped practices whose competency one of its modules teaches} (one query)."""
    by_competency = defaultdict(set)
    for key in practices:
        by_competency[PRACTICES[key].competency].add(key)
    out: dict[int, set[str]] = defaultdict(set)
    for course_id, competencies in db.session.execute(select(Module.course_id, Module.competencies)):
        for slug in competencies or ():
            out[course_id] |= by_competency.get(slug, set())
    return {cid: keys for cid, keys in out.items() if keys}


def _trained(f: Filters, course_practices: dict[int, set[str]], until: datetime):
    """Subquery (user_id, practice, trained_at): each person's first completion of a course teaching a practice."""
    pairs = union_all(*(select(literal_column(str(int(cid)), Integer).label("course_id"),
                               cast(literal(key), String(40)).label("practice"))
                        for cid, keys in sorted(course_practices.items()) for key in sorted(keys))).subquery("cp")
    q = (select(Enrolment.user_id, pairs.c.practice, func.min(Enrolment.completed_at).label("trained_at"))
         .join(pairs, pairs.c.course_id == Enrolment.course_id)
         .where(Enrolment.organization_id == f.org_id, Enrolment.completed_at.is_not(None),
                Enrolment.withdrawn_at.is_(None), Enrolment.completed_at < until,
                Enrolment.user_id.in_(learner_ids(f)))
         .group_by(Enrolment.user_id, pairs.c.practice))
    if f.start_at:
        q = q.having(func.min(Enrolment.completed_at) >= f.start_at)
    return q.subquery("trained")


def _matched(f: Filters, mappings):
    """Subquery (sid, user_id, ts, practice): each attributed statement once per practice its mappings count."""
    branches = [select(Statement.id.label("sid"), Statement.actor_id.label("user_id"), Statement.timestamp.label("ts"),
                       cast(literal(m.practice), String(40)).label("practice"))
                .where(external_statements(f.org_id), Statement.actor_id.is_not(None),
                       statement_condition(rule_of(m)))
                for m in mappings]
    return (union(*branches) if len(branches) > 1 else branches[0]).subquery("matched")


def _uses(f: Filters, trained, matched, days: int, until: datetime) -> dict[tuple[int, str], tuple]:
    """{(user id, practice): (before, after, since, last use)} for trained people with any use (one query)."""
    shift = literal_column(str(days))
    before = and_(plus_days(matched.c.ts, shift) >= trained.c.trained_at, matched.c.ts < trained.c.trained_at)
    after = and_(matched.c.ts >= trained.c.trained_at, matched.c.ts < plus_days(trained.c.trained_at, shift))
    since = matched.c.ts >= trained.c.trained_at
    rows = db.session.execute(
        select(matched.c.user_id, matched.c.practice, func.count().filter(before), func.count().filter(after),
               func.count().filter(since), func.max(matched.c.ts))
        .join(trained, and_(trained.c.user_id == matched.c.user_id, trained.c.practice == matched.c.practice))
        .where(matched.c.ts < until)
        .group_by(matched.c.user_id, matched.c.practice))
    return {(uid, key): (b, a, s, as_datetime(last)) for uid, key, b, a, s, last in rows}


def _status(since: int, trained_at: datetime, until: datetime) -> str:
    if since:
        return "using"
    return "laggard" if until - trained_at >= timedelta(days=LAGGARD_AFTER_DAYS) else "new"


def practice_use(f: Filters, *, full: bool = False) -> PracticeUse:
    """Return the practice-use section for the filters' organisation, cohort, team and period (trained people who
    completed in the period; uses counted up to its end): all rows when `full`, else the first PAGE_ROWS."""
    weeks = f.weeks
    until = min(f.now, f.end_before)
    mappings = mappings_of(f.org_id)
    mapped = [key for key in PRACTICES if any(m.practice == key for m in mappings)]
    report = PracticeUse(weeks, until, mapped)
    if not mapped:
        return report
    course_practices = _course_practices(mapped)
    taught = set().union(*course_practices.values()) if course_practices else set()
    report.untaught = [key for key in mapped if key not in taught]
    if not taught:
        return report
    trained = _trained(f, course_practices, until)
    people = db.session.execute(
        select(User.id, User.name, User.email, User.job_function, trained.c.practice, trained.c.trained_at)
        .join(trained, trained.c.user_id == User.id)).all()
    uses = _uses(f, trained, _matched(f, mappings), weeks * 7, until)
    rows = []
    for uid, name, email, team, key, trained_at in people:
        trained_at = as_datetime(trained_at)
        before, after, since, last = uses.get((uid, key), (0, 0, 0, None))
        so_far = min(weeks, max(0, (until - trained_at).days // 7))
        rows.append(PracticeUseRow(uid, name, email, team, key, trained_at, before, after, since, last, so_far,
                                   _status(since, trained_at, until)))
    order = {key: i for i, key in enumerate(PRACTICES)}
    rows.sort(key=lambda r: (r.status != "laggard", r.name.lower(), r.user_id, order[r.practice]))
    report.summaries = [_summary(key, [r for r in rows if r.practice == key]) for key in mapped if key in taught]
    report.total_rows = len(rows)
    report.laggard_total = sum(1 for r in rows if r.status == "laggard")
    report.rows = rows if full else rows[:PAGE_ROWS]
    return report


def _summary(key: str, rows: list[PracticeUseRow]) -> PracticeSummary:
    practice = PRACTICES[key]
    return PracticeSummary(key, practice.label, practice.competency, len(rows), sum(1 for r in rows if r.before),
                           sum(1 for r in rows if r.after), sum(1 for r in rows if r.status == "using"),
                           sum(1 for r in rows if r.status == "laggard"), sum(r.before for r in rows),
                           sum(r.after for r in rows))
