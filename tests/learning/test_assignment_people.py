"""The assignments page at scale: managers find people by name or email, 25 a page, choose them across searches
(the choice travels in the page, no JavaScript), and assign exactly them; the page, its list of assignments and an
assignment's learners come a page at a time in a fixed number of queries, whatever the organisation's size, and
only the manager's organisation is ever searched."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import assignments
from lms.learning.forms import MAX_CHOSEN, PeopleSearch
from lms.learning.models import Assignment, Enrolment
from tests.factories import make_cohort, make_org, make_user

FUTURE = (utcnow() + timedelta(days=40)).date()


class FormReader(HTMLParser):
    """What a browser would send from one form of a page: its hidden inputs, ticked boxes, typed values and
    selected options (the first option when none is selected)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.select, self.first_option = form_id, False, None, None
        self.fields: list[tuple[str, str]] = []
        self.selected: set[str] = set()
        self.checkboxes: list[str] = []  # values of the unticked boxes, by name "add"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
                else:
                    self.checkboxes.append(a.get("value", ""))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.first_option = a["name"], None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.fields.append((self.select, a.get("value", "")))
                self.selected.add(self.select)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select":
            if self.select not in self.selected and self.first_option is not None:
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "form":
            self.inside = False


def read_form(html: str, form_id: str) -> FormReader:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader


def submit(html: str, form_id: str, button: tuple[str, str] | None = None, **changes) -> MultiDict:
    """The data a browser sends from the form after the person types `changes` (a list value ticks boxes) and
    presses `button` (name, value), or the form's default submit when None."""
    data = MultiDict(read_form(html, form_id).fields)
    for name, value in changes.items():
        if isinstance(value, list):
            for v in value:
                data.add(name, str(v))
        else:
            data.setlist(name, [str(value)])
    if button:
        data.add(*button)
    return data


def chips(html: str) -> list[str]:
    """The ids of the people shown as chosen (their remove buttons)."""
    return [v for n, v in read_form(html, "people-form").fields if n == "user_ids"]


def found(html: str) -> list[str]:
    """The ids of the people listed in the search results (ticked or not)."""
    reader = read_form(html, "people-form")
    return reader.checkboxes + [v for n, v in reader.fields if n == "add"]


@pytest.fixture
def org(app):
    sync_content(Path(app.config["COURSES_DIR"]), {})
    northwind = make_org("Northwind")
    team = make_cohort(northwind, "Sales and marketing")
    manager = make_user(northwind, ("manager",), email="marcus@northwind.example", name="Marcus Bell")
    ada = make_user(northwind, ("learner",), email="ada@northwind.example", name="Ada Lovelace", cohort=team)
    sam = make_user(northwind, ("learner",), email="sam.whitfield@northwind.example", name="Sam Whitfield",
                    cohort=team)
    lee = make_user(northwind, ("learner",), email="lee@northwind.example", name="Lee Chen")
    coach = make_user(northwind, ("coach",), email="adam.coach@northwind.example", name="Adam Coach", cohort=team,
                      cohort_role="coach")
    globex = make_org("Globex")
    their_team = make_cohort(globex, "Globex team")
    eve = make_user(globex, ("learner",), email="ada.eve@globex.example", name="Ada Eve", cohort=their_team)
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    db.session.commit()
    return {"org": northwind, "team": team, "manager": manager, "ada": ada, "sam": sam, "lee": lee, "coach": coach,
            "globex": globex, "their_team": their_team, "eve": eve, "course": course}


def many_learners(org, n: int, cohort=None, prefix: str = "Person") -> list:
    people = [make_user(org, ("learner",), email=f"{prefix.lower()}{i:04d}@northwind.example",
                        name=f"{prefix} {i:04d}", cohort=cohort, commit=False) for i in range(n)]
    db.session.commit()
    return people


def search(client, q: str = "", **args):
    return client.get("/manage/assignments", query_string={"q": q, "go": 1, **args}).get_data(as_text=True)


def test_searching_finds_learners_by_name_or_email_in_the_managers_organisation_only(client, auth, org):
    auth.login("marcus@northwind.example")
    assert found(search(client, "ada")) == [str(org["ada"].id)]  # not Globex's Ada Eve, not the coach Adam
    assert found(search(client, "WHITFIELD@north")) == [str(org["sam"].id)]  # the email, in any case
    assert found(search(client, "chen lee")) == [str(org["lee"].id)]  # every word, in any order
    assert found(search(client, "globex")) == []
    assert "Nobody found" in search(client, "globex")
    assert found(search(client, "%")) == []  # a wildcard is a character to find, not "anything"
    everyone = search(client, "")
    assert found(everyone) == [str(org[k].id) for k in ("ada", "lee", "sam")]  # learners only, by name
    assert "Marcus Bell" not in everyone and "adam.coach@" not in everyone


def test_searching_within_a_cohort_and_never_in_another_organisations(client, auth, org):
    auth.login("marcus@northwind.example")
    page = search(client, "", in_cohort=org["team"].id)
    assert found(page) == [str(org["ada"].id), str(org["sam"].id)]
    assert f'<option value="{org["team"].id}" selected>Sales and marketing</option>' in page  # the filter stays
    # Globex's cohort is not a choice: the search falls back to everyone in Northwind, and finds no Globex person.
    page = search(client, "", in_cohort=org["their_team"].id)
    assert found(page) == [str(org[k].id) for k in ("ada", "lee", "sam")]
    assert "Globex team" not in page


def test_results_come_25_a_page_with_previous_and_next(client, auth, org):
    many_learners(org["org"], 57)
    auth.login("marcus@northwind.example")
    first = search(client, "person")
    assert len(found(first)) == 25 and "57 found" in first and "Page 1 of 3" in first
    assert 'name="go" value="2">Next' in first and ">Previous<" not in first
    last = client.get("/manage/assignments", query_string=submit(first, "people-form", ("go", "3"))).get_data(
        as_text=True)
    assert len(found(last)) == 7 and "Page 3 of 3" in last and 'name="go" value="2">Previous' in last
    for past_the_end in (99, 10**20):  # an old link, or a mangled one, shows the last page
        beyond = client.get("/manage/assignments", query_string={"q": "person", "page": past_the_end})
        assert beyond.status_code == 200 and "Page 3 of 3" in beyond.get_data(as_text=True)


def test_people_chosen_in_two_searches_are_assigned_exactly(client, auth, org):
    many_learners(org["org"], 30)
    auth.login("marcus@northwind.example")
    page = search(client, "ada")
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", add=[org["ada"].id])).get_data(
        as_text=True)
    assert chips(page) == [str(org["ada"].id)]
    # A second search keeps Ada; tick two people on the second page of its results, and move on.
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", q="person")).get_data(
        as_text=True)
    assert chips(page) == [str(org["ada"].id)] and len(found(page)) == 25
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", ("go", "2"))).get_data(
        as_text=True)
    picked = found(page)[:2]
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", add=picked)).get_data(
        as_text=True)
    assert chips(page) == [str(org["ada"].id), *picked]
    assert "The people you chose (3)" in page
    response = client.post(read_form_action(page), data=submit(page, "assign-form", course_id=org["course"].id,
                                                                due_date=FUTURE, due_time="17:00"))
    assert response.status_code == 302
    db.session.expire_all()
    assigned = {e.user_id for e in db.session.scalars(select(Enrolment))}
    assert assigned == {org["ada"].id, *map(int, picked)}
    assert "ABM in Ten Minutes assigned to 3 learners" in client.get("/manage/assignments").get_data(as_text=True)


def read_form_action(html: str) -> str:
    return html.split('id="assign-form"')[0].rsplit('action="', 1)[1].split('"')[0].replace("&amp;", "&")


def test_people_are_removed_one_at_a_time_or_all_at_once(client, auth, org):
    auth.login("marcus@northwind.example")
    ids = [org[k].id for k in ("ada", "sam", "lee")]
    page = client.get("/manage/assignments", query_string={"user_ids": ids}).get_data(as_text=True)
    assert chips(page) == [str(i) for i in ids]
    assert '<span class="visually-hidden">Remove Sam Whitfield</span>' in page
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", ("drop", str(ids[1]))))\
        .get_data(as_text=True)
    assert chips(page) == [str(ids[0]), str(ids[2])]
    assert [v for n, v in read_form(page, "assign-form").fields if n == "user_ids"] == [str(ids[0]), str(ids[2])]
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", ("clear", "1")))\
        .get_data(as_text=True)
    assert chips(page) == [] and "Chosen: 0 people" in page


def test_another_organisations_people_are_never_chosen(client, auth, org):
    auth.login("marcus@northwind.example")
    page = client.get("/manage/assignments", query_string={"user_ids": [org["eve"].id, org["ada"].id, 999_999],
                                                           "add": [org["eve"].id]}).get_data(as_text=True)
    assert chips(page) == [str(org["ada"].id)]
    assert "Ada Eve" not in page and "globex" not in page.lower()
    forged = {"course_id": org["course"].id, "cohort_id": 0, "due_date": str(FUTURE), "due_time": "17:00",
              "user_ids": [org["ada"].id, org["eve"].id]}
    assert client.post("/manage/assignments", data=forged).status_code == 404
    assert db.session.scalar(select(Enrolment)) is None


def test_a_deactivated_learner_is_neither_offered_nor_assigned(client, auth, org):
    org["ada"].is_active_user = False
    db.session.commit()
    auth.login("marcus@northwind.example")
    page = client.get("/manage/assignments", query_string={"q": "ada"}).get_data(as_text=True)
    assert "ada@northwind.example" not in page
    forged = {"course_id": org["course"].id, "cohort_id": 0, "due_date": str(FUTURE), "due_time": "17:00",
              "user_ids": [org["ada"].id]}
    assert client.post("/manage/assignments", data=forged).status_code == 404
    assert db.session.scalar(select(Enrolment)) is None


def test_a_form_error_keeps_the_people_chosen_the_search_and_what_was_typed(client, auth, org):
    auth.login("marcus@northwind.example")
    page = client.get("/manage/assignments", query_string={"q": "a", "user_ids": [org["ada"].id, org["lee"].id]})\
        .get_data(as_text=True)
    yesterday = utcnow().date() - timedelta(days=1)
    response = client.post(read_form_action(page), data=submit(page, "assign-form", course_id=org["course"].id,
                                                                due_date=yesterday, due_time="08:15"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The due date has passed" in page
    assert chips(page) == [str(org["ada"].id), str(org["lee"].id)]
    assert 'value="a"' in page and found(page)  # the search box and its results are still there
    assert f'value="{yesterday}"' in page and 'value="08:15"' in page
    # Searching again from here keeps what was typed in the assignment form.
    page = client.get("/manage/assignments", query_string=submit(page, "people-form", q="sam")).get_data(
        as_text=True)
    assign = dict(read_form(page, "assign-form").fields)
    assert assign["due_date"] == str(yesterday) and assign["due_time"] == "08:15"
    assert assign["course_id"] == str(org["course"].id)
    assert chips(page) == [str(org["ada"].id), str(org["lee"].id)] and found(page) == [str(org["sam"].id)]
    assert db.session.scalar(select(Assignment)) is None


def test_every_form_that_changes_something_carries_a_csrf_token_and_searches_never_do(client, auth, org,
                                                                                          app):
    auth.login("marcus@northwind.example")
    app.config["WTF_CSRF_ENABLED"] = True
    page = search(client, "ada", user_ids=[org["ada"].id])
    assert dict(read_form(page, "assign-form").fields)["csrf_token"]
    assert 'method="get"' in page.split('id="people-form"')[0].rsplit("<form", 1)[1]
    assert "csrf_token" not in dict(read_form(page, "people-form").fields)  # never in an address
    data = submit(page, "assign-form", course_id=org["course"].id, due_date=FUTURE, due_time="17:00")
    data.pop("csrf_token")
    assert client.post("/manage/assignments", data=data).status_code == 400
    assert db.session.scalar(select(Assignment)) is None
    data = submit(page, "assign-form", course_id=org["course"].id, due_date=FUTURE, due_time="17:00")
    assert client.post(read_form_action(page), data=data).status_code == 302


def test_no_more_than_the_limit_are_chosen_at_once(client, auth, org):
    people = many_learners(org["org"], MAX_CHOSEN + 1)
    auth.login("marcus@northwind.example")
    page = client.get("/manage/assignments", query_string={"user_ids": [p.id for p in people]}).get_data(
        as_text=True)
    assert chips(page) == [str(p.id) for p in people[:MAX_CHOSEN]]
    assert f"You can choose up to {MAX_CHOSEN} people at a time" in page


def test_choosing_adds_ticked_people_once_in_order_and_drops_or_clears():
    def choose(chosen, **args):
        form = PeopleSearch(MultiDict([(k, str(v)) for k, vs in args.items()
                                       for v in (vs if isinstance(vs, list) else [vs])]), [])
        return form.choose(chosen)

    assert choose([3, 1], add=[1, 7, 2]) == ([3, 1, 7, 2], False)
    assert choose([3, 1, 7], drop=1) == ([3, 7], False)
    assert choose([3, 1, 7], clear=1, add=[9]) == ([], False)
    assert choose(None, add=["x"]) == ([], False)  # a mangled address is no error
    assert choose(list(range(MAX_CHOSEN)), add=[MAX_CHOSEN]) == (list(range(MAX_CHOSEN)), True)


def test_the_page_lists_at_most_a_page_of_people_whatever_the_organisations_size(client, auth, org):
    many_learners(org["org"], 300)
    auth.login("marcus@northwind.example")
    plain = client.get("/manage/assignments").get_data(as_text=True)
    assert found(plain) == [] and plain.count("@northwind.example") == 0  # nobody listed until a search
    assert plain.count("<option") < 10  # the courses and cohorts, no people
    everyone = search(client, "")
    assert len(found(everyone)) == assignments.PEOPLE_PER_PAGE and "303 found" in everyone
    assert everyone.count("@northwind.example") == assignments.PEOPLE_PER_PAGE


def test_the_assignments_page_takes_a_fixed_number_of_queries_whatever_the_number_of_people(client, auth, org,
                                                                                              queries):
    chosen = [org["ada"].id, org["lee"].id]
    assignments.assign(org["org"], org["course"], utcnow() + timedelta(days=4), org["manager"], people=[org["ada"]])
    db.session.commit()
    auth.login("marcus@northwind.example")

    def count(**args) -> int:
        with queries:
            assert client.get("/manage/assignments", query_string=args).status_code == 200
        return queries.count

    def counts(go: int) -> tuple[int, int]:
        return count(), count(q="e", go=go, user_ids=chosen, add=[org["sam"].id])

    few = counts(go=1)
    many_learners(org["org"], 120, cohort=org["team"])
    for i, person in enumerate(many_learners(org["org"], assignments.ASSIGNMENTS_PER_PAGE + 5, prefix="Extra")):
        assignments.assign(org["org"], org["course"], utcnow() + timedelta(days=5 + i), org["manager"],
                           people=[person])
    assignments.assign(org["org"], org["course"], utcnow() + timedelta(days=50), org["manager"], cohort=org["team"])
    db.session.commit()
    assert counts(go=1) == counts(go=3) == few
    assert count(list_page=2) == few[0]


def test_the_list_of_assignments_comes_a_page_at_a_time_and_keeps_the_choice(client, auth, org):
    people = many_learners(org["org"], assignments.ASSIGNMENTS_PER_PAGE + 5)
    courses = [org["course"]]
    for i, person in enumerate(people):
        assignments.assign(org["org"], courses[0], utcnow() + timedelta(days=5, hours=i), org["manager"],
                           people=[person])
    db.session.commit()
    auth.login("marcus@northwind.example")
    page = client.get("/manage/assignments", query_string={"user_ids": [org["ada"].id]}).get_data(as_text=True)
    rows = page.split('id="list-heading"')[1]
    assert rows.count("Learners and due date") == assignments.ASSIGNMENTS_PER_PAGE
    assert f"Page 1 of 2 · {len(people)} in all" in rows
    link = rows.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"user_ids={org['ada'].id}" in link and "list_page=2" in link
    second = client.get(link).get_data(as_text=True)
    assert second.split('id="list-heading"')[1].count("Learners and due date") == 5
    assert chips(second) == [str(org["ada"].id)]


def test_an_assignments_learners_come_a_page_at_a_time_in_a_fixed_number_of_queries(client, auth, org, queries):
    outcome = assignments.assign(org["org"], org["course"], utcnow() + timedelta(days=9), org["manager"],
                                 cohort=org["team"])
    db.session.commit()
    auth.login("marcus@northwind.example")
    url = f"/manage/assignments/{outcome.assignment.id}"
    with queries:
        small = client.get(url).get_data(as_text=True)
    few = queries.count
    assert "2 learners · 0 completed" in small and "Page 1 of" not in small
    many_learners(org["org"], assignments.LEARNERS_PER_PAGE + 10, cohort=org["team"])  # they join: assigned too
    with queries:
        first = client.get(url).get_data(as_text=True)
    assert queries.count == few
    learners = assignments.LEARNERS_PER_PAGE + 12
    assert f"{learners} learners · 0 completed" in first
    assert first.count('<th scope="row">') == assignments.LEARNERS_PER_PAGE
    assert f"Page 1 of 2 · {learners} in all" in first and "Ada Lovelace" in first
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count('<th scope="row">') == 12 and "Sam Whitfield" in second
    assert "Sam Whitfield" in client.get(f"{url}?page={10**20}").get_data(as_text=True)  # the last page
