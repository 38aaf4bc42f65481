"""Synthetic data for trying reports at scale (`flask lms generate`): plain rows from a seeded generator.

Pure: dicts shaped like the tables' columns, given the ids the loader got back; the same seed, the same data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

FUNCTIONS = ("sales", "marketing", "sales", "marketing", "other")
DAYS = 365
COHORT_SIZE = 250
MAX_COHORTS = 40
SESSION_SIZE = (4, 16)  # statements per session
PAPER_QUESTIONS = 4  # assessment questions per competency


@dataclass(frozen=True)
class CourseShape:
    """A synced course the generator enrols learners on."""

    id: int
    slug: str
    title: str
    module_ids: tuple[int, ...]
    module_slugs: tuple[str, ...]
    module_questions: tuple[tuple[str, ...], ...]  # each module's knowledge-check question ids
    competencies: tuple[str, ...]  # the competencies its modules teach
    exercises: tuple[str, ...]  # the exercises learners practise on it


@dataclass(frozen=True)
class Plan:
    learners: int
    statements: int
    now: datetime
    seed: int = 1

    @property
    def cohorts(self) -> int:
        return max(1, min(MAX_COHORTS, self.learners // COHORT_SIZE or 1))


class Generator:
    """Produces the rows of one synthetic organisation; call the methods in the loader's order.

    Learners work in sessions (a burst of statements on one day), as real learners do, spread over the last
    12 months; cohorts start at different times.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.start = plan.now - timedelta(days=DAYS)
        # Cohort c starts evenly across the first nine months, so the year holds every stage of a programme.
        self.cohort_starts = [self.start + timedelta(days=int(270 * c / max(1, plan.cohorts - 1 or 1)))
                              for c in range(plan.cohorts)]
        self.learner_cohort: list[int] = []
        self.activated: list[bool] = []
        self.people: list[tuple[str, str]] = []  # (email, name) per learner: the record names its actors
        # Each learner's ability (0.3-0.95): their answers, assessments, exercise scores and ratings follow it, so
        # the capability figures hang together as real ones do.
        self.skills: list[float] = []

    def cohorts(self, org_id: int) -> list[dict]:
        return [{"organization_id": org_id, "name": f"Cohort {c + 1:02d}", "delivery": "in_house",
                 "starts_on": s.date(), "ends_on": (s + timedelta(days=90)).date(), "shares_workspace": True,
                 "is_archived": False, "created_at": s - timedelta(days=14)}
                for c, s in enumerate(self.cohort_starts)]

    def users(self, slug: str, password_hash: str | None) -> list[dict]:
        rows = []
        for i in range(self.plan.learners):
            cohort = i % self.plan.cohorts
            start = self.cohort_starts[cohort]
            activated = self.rng.random() < 0.92
            self.learner_cohort.append(cohort)
            self.activated.append(activated)
            self.skills.append(self.rng.uniform(0.3, 0.95))
            email, name = f"learner{i + 1:05d}@{slug}.example", f"Learner {i + 1:05d}"
            self.people.append((email, name))
            rows.append({
                "email": email, "name": name,
                "job_function": FUNCTIONS[i % len(FUNCTIONS)], "password_hash": password_hash,
                "is_platform_admin": False, "is_active_user": True, "reminders_opt_out": False,
                "session_version": 1, "created_at": start - timedelta(days=7),
                "email_confirmed_at": start - timedelta(days=7),
                "activated_at": start + timedelta(hours=self.rng.randint(1, 96)) if activated else None,
            })
        return rows

    def memberships(self, org_id: int, user_ids: Sequence[int]) -> list[dict]:
        return [{"user_id": uid, "organization_id": org_id, "role": "learner",
                 "created_at": self.cohort_starts[self.learner_cohort[i]] - timedelta(days=7)}
                for i, uid in enumerate(user_ids)]

    def cohort_members(self, cohort_ids: Sequence[int], user_ids: Sequence[int]) -> list[dict]:
        return [{"cohort_id": cohort_ids[self.learner_cohort[i]], "user_id": uid, "role": "learner",
                 "joined_at": self.cohort_starts[self.learner_cohort[i]] - timedelta(days=7)}
                for i, uid in enumerate(user_ids)]

    def invitations(self, org_id: int, slug: str, cohort_ids: Sequence[int]) -> list[dict]:
        """A few invitations per cohort never accepted (the top of the funnel)."""
        rows = []
        for c, cid in enumerate(cohort_ids):
            for k in range(max(1, COHORT_SIZE // 25)):
                created = self.cohort_starts[c] - timedelta(days=10)
                rows.append({"organization_id": org_id, "cohort_id": cid, "email": f"invitee{c}-{k}@{slug}.example",
                             "name": f"Invitee {c}-{k}", "job_function": FUNCTIONS[k % len(FUNCTIONS)],
                             "role": "learner", "token_hash": uuid.UUID(int=self.rng.getrandbits(128)).hex * 2,
                             "created_at": created, "expires_at": created + timedelta(days=14)})
        return rows

    def enrolments(self, org_id: int, course: CourseShape, cohort_ids: Sequence[int],
                   user_ids: Sequence[int]) -> tuple[list[dict], list[dict]]:
        """Return (enrolments, module progress): most start, about half complete, some go overdue."""
        enrolments, progress = [], []
        n_modules = len(course.module_ids)
        for i, uid in enumerate(user_ids):
            cohort = self.learner_cohort[i]
            start = self.cohort_starts[cohort]
            due = start + timedelta(days=60)
            roll = self.rng.random() if self.activated[i] else 1.0
            elapsed = (self.plan.now - start).days
            done = 0
            completed_at = started_at = None
            if roll < 0.55 and elapsed > 20:
                done = n_modules
                completed_at = start + timedelta(days=self.rng.randint(10, max(11, min(elapsed - 1, 80))))
            elif roll < 0.85:
                done = self.rng.randint(0, max(0, n_modules - 1))
            if done or roll < 0.85:
                started_at = start + timedelta(days=self.rng.randint(0, 5))
            enrolments.append({
                "user_id": uid, "course_id": course.id, "organization_id": org_id, "cohort_id": cohort_ids[cohort],
                "source": "assigned", "due_at": due, "enrolled_at": start, "started_at": started_at,
                "completed_at": completed_at,
            })
            for m in range(done):
                at = (started_at or start) + timedelta(days=m * 3)
                progress.append({"user_id": uid, "module_id": course.module_ids[m], "organization_id": org_id,
                                 "started_at": at, "completed_at": min(at + timedelta(hours=1), self.plan.now),
                                 "completed_version": "synthetic", "best_score": self.rng.randint(60, 100),
                                 "first_score": self.rng.randint(30, 90),
                                 "attempts": 1})
        return enrolments, progress

    def knowledge_answers(self, course: CourseShape, user_ids: Sequence[int], progress: Sequence[dict]) -> list[dict]:
        """Each completed module's knowledge-check answers: first attempt right as often as the learner's skill,
        right in the end after a retry or two."""
        index = {uid: i for i, uid in enumerate(user_ids)}
        questions = dict(zip(course.module_ids, course.module_questions, strict=True))
        rows = []
        for p in progress:
            skill = self.skills[index[p["user_id"]]]
            for qid in questions.get(p["module_id"], ()):
                first = self.rng.random() < skill
                tries = 1 if first else self.rng.randint(2, 3)
                rows.append({"user_id": p["user_id"], "module_id": p["module_id"],
                             "organization_id": p["organization_id"], "question_id": qid, "chosen": [0],
                             "is_correct": True, "ever_correct": True, "first_correct": first, "attempts": tries,
                             "version": "synthetic", "answered_at": p["completed_at"]})
        return rows

    def assessments(self, course: CourseShape, user_ids: Sequence[int], enrolments: Sequence[dict]) -> list[dict]:
        """Closed pre-course assessments for those who started, post-course ones for those who completed (higher:
        the course taught them something), scored per competency as the papers score them."""
        rows = []
        for i, (uid, e) in enumerate(zip(user_ids, enrolments, strict=True)):
            for kind, at, lift in (("pre", e["started_at"], 0.0), ("post", e["completed_at"], 0.2)):
                if at is None or not course.competencies:
                    continue
                scores, right, total = {}, 0, 0
                for slug in course.competencies:
                    correct = sum(self.rng.random() < min(0.98, self.skills[i] * (0.7 + lift))
                                  for _ in range(PAPER_QUESTIONS))
                    scores[slug] = {"correct": correct, "total": PAPER_QUESTIONS}
                    right, total = right + correct, total + PAPER_QUESTIONS
                rows.append({"user_id": uid, "organization_id": e["organization_id"], "course_id": course.id,
                             "cohort_id": e["cohort_id"], "kind": kind, "paper": [], "started_at": at,
                             "closed_at": at + timedelta(minutes=12), "closed_by": "learner",
                             "score": round(100 * right / total), "scores": scores, "late_answers": 0})
        return rows

    def exercise_runs(self, course: CourseShape, user_ids: Sequence[int], enrolments: Sequence[dict],
                      workspace_ids: Sequence[int]) -> list[dict]:
        """One run of each of one to three of the course's exercises, on the team's workspace, by about 70% of those
        who started; scored by the learner's skill. Each is handed in (`submissions`)."""
        rows = []
        for i, (uid, e) in enumerate(zip(user_ids, enrolments, strict=True)):
            if e["started_at"] is None or not course.exercises or self.rng.random() > 0.7:
                continue
            for slug in self.rng.sample(course.exercises, k=min(len(course.exercises), self.rng.randint(1, 3))):
                score = min(100, int(100 * self.skills[i] * self.rng.uniform(0.75, 1.05)))
                at = e["started_at"] + timedelta(days=self.rng.randint(3, 40))
                if at >= self.plan.now:
                    continue
                rows.append({"organization_id": e["organization_id"], "user_id": uid,
                             "workspace_id": workspace_ids[self.learner_cohort[i]], "exercise_slug": slug,
                             "exercise_version": "synthetic", "score": score, "passed": score >= 70,
                             "findings_total": 0, "snapshot_counts": {}, "duration_ms": 0, "created_at": at})
        return rows

    def submissions(self, runs: Sequence[dict], run_ids: Sequence[int], enrolments: Sequence[dict]) -> list[dict]:
        """Each run handed in, in the learner's cohort; about half reviewed by a coach."""
        cohort_of = {e["user_id"]: e["cohort_id"] for e in enrolments}
        rows = []
        for run, run_id in zip(runs, run_ids, strict=True):
            reviewed = self.rng.random() < 0.5
            rows.append({"organization_id": run["organization_id"], "user_id": run["user_id"], "run_id": run_id,
                         "cohort_id": cohort_of[run["user_id"]], "exercise_slug": run["exercise_slug"], "score": run["score"],
                         "passed": run["passed"], "status": "reviewed" if reviewed else "awaiting",
                         "submitted_at": run["created_at"],
                         "reviewed_at": run["created_at"] + timedelta(days=2) if reviewed else None})
        return rows

    def coach_ratings(self, course: CourseShape, user_ids: Sequence[int], enrolments: Sequence[dict]) -> list[dict]:
        """Ratings of about a quarter of those who started, on one or two competencies (level 1-5 by skill)."""
        rows = []
        for i, (uid, e) in enumerate(zip(user_ids, enrolments, strict=True)):
            if e["started_at"] is None or not course.competencies or self.rng.random() > 0.25:
                continue
            for slug in self.rng.sample(course.competencies, k=min(2, len(course.competencies))):
                rows.append({"organization_id": e["organization_id"], "learner_id": uid, "coach_id": None,
                             "cohort_id": e["cohort_id"], "competency_slug": slug,
                             "level": max(1, min(5, round(5 * self.skills[i]))), "comment": "",
                             "rated_at": min(self.plan.now, e["started_at"] + timedelta(days=30))})
        return rows

    def statements(self, org_id: int, cohort_ids: Sequence[int], user_ids: Sequence[int], course: CourseShape,
                   exercises: Sequence[str], stored: datetime) -> Iterator[tuple]:
        """Yield statement rows as tuples in STATEMENT_COLUMNS order, in sessions over the last 12 months."""
        active = [i for i in range(len(user_ids)) if self.activated[i]] or list(range(len(user_ids)))
        weights = [self.rng.paretovariate(1.5) for _ in active]  # a few very active learners, a long tail
        made = 0
        exercises = list(exercises) or ["target-account-list"]
        while made < self.plan.statements:
            i = self.rng.choices(active, weights)[0]
            cohort = self.learner_cohort[i]
            first = max(self.cohort_starts[cohort], self.start)
            span = max(1, int((self.plan.now - first).total_seconds()) - 3600)
            at = first + timedelta(seconds=self.rng.randrange(span))
            size = min(self.rng.randint(*SESSION_SIZE), self.plan.statements - made)
            for verb, obj_type, obj_id, name in _session(self.rng, size, course, exercises):
                yield (str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), at, stored, user_ids[i],
                       *self.people[i], verb, obj_type, obj_id, name, org_id, cohort_ids[cohort], course.slug)
                at += timedelta(seconds=self.rng.randint(20, 300))
            made += size

    def workspaces(self, org_id: int, cohort_ids: Sequence[int]) -> list[dict]:
        return [{"organization_id": org_id, "cohort_id": cid, "name": f"Team workspace {c + 1:02d}", "kind": "team",
                 "programme_start": self.cohort_starts[c], "column_mappings": {},
                 "created_at": self.cohort_starts[c] - timedelta(days=30),
                 "updated_at": self.cohort_starts[c]} for c, cid in enumerate(cohort_ids)]

    def accounts(self, org_id: int, workspace_ids: Sequence[int], per_workspace: int = 40) -> list[dict]:
        rows = []
        for w, wid in enumerate(workspace_ids):
            for a in range(per_workspace):
                rows.append({"organization_id": org_id, "workspace_id": wid, "name": f"Account {w}-{a}",
                             "normalised_name": f"account {w}-{a}", "is_target": a % 10 < 7,
                             "tier": ("1:1", "1:few", "1:many")[a % 3], "required_roles": [], "status": "active",
                             "created_at": self.start, "updated_at": self.start})
        return rows

    def opportunities(self, org_id: int, workspace_ids: Sequence[int],
                      accounts_by_workspace: dict[int, list[int]]) -> list[dict]:
        """Opportunities before and after each team's programme start (more, and larger, after it)."""
        rows = []
        for w, wid in enumerate(workspace_ids):
            start = self.cohort_starts[w]
            accounts = accounts_by_workspace.get(wid, [])
            for k in range(30 if accounts else 0):
                after = k % 3 != 0
                offset = timedelta(days=self.rng.randint(1, 120))
                created = start + offset if after else start - offset
                if created >= self.plan.now:
                    continue
                closed = self.rng.random() < 0.5 and created + timedelta(days=45) < self.plan.now
                won = closed and self.rng.random() < 0.35
                rows.append({"organization_id": org_id, "workspace_id": wid,
                             "account_id": accounts[self.rng.randrange(len(accounts))],
                             "name": f"Opportunity {w}-{k}", "stage": "Closed Won" if won else "Qualification",
                             "amount": float(self.rng.randint(10, 120) * 1000 * (1.2 if after else 1.0)),
                             "currency": "GBP", "created_at": created,
                             "closed_at": created + timedelta(days=45) if closed else None,
                             "is_won": won if closed else None, "source": "abm"})
        return rows


def _session(rng: random.Random, size: int, course: CourseShape, exercises: Sequence[str]) -> Iterator[tuple]:
    """Yield (verb, object type, object id, name) of one sitting: a login, then modules, exercises, workspace work."""
    yield "logged-in", "user", "self", None
    m = rng.randrange(len(course.module_slugs)) if course.module_slugs else 0
    module = f"{course.slug}/{course.module_slugs[m]}" if course.module_slugs else course.slug
    kinds = ("module", "module", "module", "exercise", "workspace", "handoff", "report")
    for _ in range(size - 1):
        kind = rng.choice(kinds)
        if kind == "module":
            verb = rng.choice(("launched", "answered", "answered", "completed"))
            yield verb, ("question" if verb == "answered" else "module"), module, None
        elif kind == "exercise":
            slug = rng.choice(exercises)
            yield rng.choice(("ran", "ran", "submitted")), "exercise", slug, None
        elif kind == "workspace":
            verb = rng.choice(("created", "updated", "imported"))
            yield verb, ("import" if verb == "imported" else "account"), str(rng.randint(1, 10_000)), None
        elif kind == "handoff":
            yield rng.choice(("created", "updated")), "handoff", str(rng.randint(1, 10_000)), None
        else:
            yield "viewed", "module", module, None


STATEMENT_COLUMNS = ("id", "timestamp", "stored", "actor_id", "actor_email", "actor_name", "verb", "object_type",
                     "object_id", "object_name", "organization_id", "cohort_id", "course_slug")
