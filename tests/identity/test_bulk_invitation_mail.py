"""A CSV's invitations are emailed by a background job (lms.identity.invitation_mail): every link that goes out
works, the admin follows the sending on the job's page, and a mail server that fails half way leaves the
invitations made and says who has had theirs."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.identity.models import Invitation
from lms.jobs import Job
from tests.factories import make_org, make_user
from tests.ports import free_port
from tests.smtp import body_of


@pytest.fixture
def admin(app, auth):
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    return org


def _upload(client, count: int, **extra):
    rows = "".join(f"Person {i:03d},person{i:03d}@northwind.example,sales,\n" for i in range(count))
    return client.post("/admin/invitations/bulk", data={
        "bulk-file": (io.BytesIO(("name,email,function,cohort\n" + rows).encode()), "team.csv"),
        "bulk-role": "learner", **extra}, content_type="multipart/form-data")


def _path(message) -> str:
    line = next(line for line in body_of(message).splitlines() if "/invitations/" in line)
    return line.strip().split("lms.test", 1)[1]


def test_a_files_invitations_are_emailed_by_a_job_whose_page_says_what_came_of_it(app, client, admin, smtp_server):
    app.config.update(smtp_server.config())
    response = _upload(client, 30)
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invitations sent to 30 people." in page and "See the invitations" in page
    assert sorted(m["To"] for m in smtp_server.messages) == [f"person{i:03d}@northwind.example" for i in range(30)]
    for message in smtp_server.messages[::7]:  # the link each was sent is the one that works
        assert client.get(_path(message)).status_code == 200
    job = db.session.scalar(select(Job))
    assert (job.kind, job.status, job.done, job.total) == ("invitations", "done", 30, 30)


def test_with_a_worker_the_links_are_on_the_site_the_admin_used(app, client, admin, smtp_server, redis_queue):
    app.config.update(smtp_server.config())
    response = _upload(client, 1)
    assert response.status_code == 302 and smtp_server.messages == []  # queued, not sent in the request
    app.config["SERVER_NAME"] = None  # the worker has no request, nor this: the address comes with the job
    assert redis_queue.work()
    [message] = smtp_server.messages
    assert "http://lms.test/invitations/" in body_of(message)
    assert db.session.scalar(select(Job.status)) == "done"


def test_a_mail_server_failing_leaves_the_invitations_and_says_who_has_had_theirs(app, client, admin):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    response = _upload(client, 3)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The mail server failed on the email to person000@northwind.example" in page
    assert "after 0 of 3 were sent" in page and "use Send again for anyone" in page
    assert len(db.session.scalars(select(Invitation)).all()) == 3  # the invitations stay made


def test_invitations_withdrawn_before_the_job_runs_are_not_emailed(app, client, admin, smtp_server, redis_queue):
    app.config.update(smtp_server.config())
    _upload(client, 2)
    first = db.session.scalar(select(Invitation).where(Invitation.email == "person000@northwind.example"))
    client.post(f"/admin/invitations/{first.id}/revoke")
    assert redis_queue.work()
    assert [m["To"] for m in smtp_server.messages] == ["person001@northwind.example"]
    job = db.session.scalar(select(Job))
    assert job.message == "Invitations sent to 1 person. 1 no longer waiting (accepted or withdrawn) were left out."


def test_a_files_invitations_read_the_database_as_often_for_three_people_as_for_thirty(app, client, admin, smtp_server,
                                                                                     queries, monkeypatch):
    # Made together and emailed in batches: neither the request nor the job reads or updates once per person. (Each
    # new invitation is an INSERT of its own on SQLite, where SQLAlchemy's flush cannot batch rows whose keys the
    # database makes; PostgreSQL gets them in one.)
    from lms.identity import invitation_mail

    monkeypatch.setattr(invitation_mail, "PROGRESS_EVERY", 100)  # one batch of emails either way
    app.config.update(smtp_server.config())
    counts = []
    for size, first in ((3, 0), (30, 100)):
        rows = "".join(f"P {i},p{i}@northwind.example,sales,\n" for i in range(first, first + size))
        with queries:
            client.post("/admin/invitations/bulk", data={
                "bulk-file": (io.BytesIO(("name,email,function,cohort\n" + rows).encode()), "team.csv"),
                "bulk-role": "learner"}, content_type="multipart/form-data")
        counts.append(sum(not q.lstrip().upper().startswith("INSERT INTO INVITATIONS") for q in queries.statements))
    assert len(smtp_server.messages) == 33
    assert counts[0] == counts[1], counts
