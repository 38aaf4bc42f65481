"""Invitation emails: one sent at once when an admin invites someone, and a CSV's worth sent by a background job
(lms.jobs) with its progress on the job's page, each with a link made as it is sent."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence

from flask import url_for
from sqlalchemy import select

from lms import jobs
from lms.extensions import db
from lms.identity import services
from lms.identity.models import Invitation, User
from lms.mail import send_template
from lms.urls import site_url, url_at

PROGRESS_EVERY = 25  # emails between two updates of the job's progress


def send_invitation(invitation: Invitation, token: str, site: str | None = None) -> None:
    """Email the invitation with its link (`token`), on `site` (the current one by default)."""
    send_template(invitation.email, f"You're invited to {invitation.organization.name} on ABM Academy",
                  "identity/email/invitation", invitation=invitation,
                  url=url_at(site or site_url(), "identity.invitation_accept", token=token))


def send_later(invitations: Sequence[Invitation], by: User) -> jobs.Job:
    """Send these new invitations' emails as a job (on the worker when there is one, else now) and return it: a
    file of hundreds of people is more mail than a request has time to send, and a mail server that fails half way
    must not undo the invitations. Their organisation's admins can follow it."""
    count = len(invitations)
    people = f"{count:,} {'person' if count == 1 else 'people'}"
    back = url_for("identity.invitations")
    return jobs.enqueue(send_job, kind="invitations", title=f"Sending invitations to {people}",
                        organization_id=invitations[0].organization_id, user_id=by.id, role="org_admin",
                        args={"invitation_ids": [i.id for i in invitations], "site": site_url()},
                        back_url=back, next_url=back, next_label="See the invitations")


def send_job(run: jobs.JobRun) -> str:
    """Job: email each invitation still pending with a new link; returns how many were sent. The links of each
    batch of PROGRESS_EVERY are committed before its emails go, so every link sent works even when a later email
    fails (the batch's unsent links were never sent, nor were the ones they replace). Raises JobFailed, saying who
    has had theirs, when the mail server fails. A few queries per batch, whatever its size."""
    ids = run.args["invitation_ids"]
    waiting = [invitation.id for invitation in _invitations(run.organization_id, ids)
               if invitation.state == "pending"]
    sent = 0
    for start in range(0, len(waiting), PROGRESS_EVERY):
        batch = waiting[start:start + PROGRESS_EVERY]
        tokens = {invitation.id: services.renew_token(invitation)
                  for invitation in _invitations(run.organization_id, batch)}
        db.session.commit()
        for invitation in _invitations(run.organization_id, batch):  # one query reloads the batch after the commit
            try:
                send_invitation(invitation, tokens[invitation.id], run.args["site"])
            except (smtplib.SMTPException, OSError) as exc:
                raise jobs.JobFailed(
                    f"The mail server failed on the email to {invitation.email} ({exc}), after {sent:,} of "
                    f"{len(waiting):,} were sent. The invitations themselves are saved: on the Invitations page, use "
                    "Send again for anyone who has not had theirs.") from exc
            sent += 1
        run.progress(sent, len(waiting), f"Sent {sent:,} of {len(waiting):,} emails")
    skipped = len(ids) - len(waiting)
    note = f" {skipped:,} no longer waiting (accepted or withdrawn) were left out." if skipped else ""
    return f"Invitations sent to {sent:,} {'person' if sent == 1 else 'people'}.{note}"


def _invitations(org_id: int | None, ids: Sequence[int]) -> list[Invitation]:
    """The organisation's invitations among `ids`, by id (their organisation and cohort joined)."""
    return list(db.session.scalars(select(Invitation).where(
        Invitation.id.in_(ids), Invitation.organization_id == org_id).order_by(Invitation.id)))
