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
    """Job: email each invitation still pending with a new link, committed before its email goes, so every link
    sent works even when a later email fails; returns how many were sent. Raises JobFailed, saying who has had
    theirs, when the mail server fails."""
    rows = db.session.scalars(select(Invitation).where(
        Invitation.id.in_(run.args["invitation_ids"]), Invitation.organization_id == run.organization_id)
        .order_by(Invitation.id)).all()
    waiting = [invitation for invitation in rows if invitation.state == "pending"]
    for sent, invitation in enumerate(waiting):
        token = services.renew_token(invitation)
        db.session.commit()
        try:
            send_invitation(invitation, token, run.args["site"])
        except (smtplib.SMTPException, OSError) as exc:
            raise jobs.JobFailed(
                f"The mail server failed on the email to {invitation.email} ({exc}), after {sent:,} of "
                f"{len(waiting):,} were sent. The invitations themselves are saved: on the Invitations page, use Send "
                "again for anyone who has not had theirs.") from exc
        if (sent + 1) % PROGRESS_EVERY == 0:
            run.progress(sent + 1, len(waiting), f"Sent {sent + 1:,} of {len(waiting):,} emails")
    skipped = len(run.args["invitation_ids"]) - len(waiting)
    note = f" {skipped:,} no longer waiting (accepted or withdrawn) were left out." if skipped else ""
    return f"Invitations sent to {len(waiting):,} {'person' if len(waiting) == 1 else 'people'}.{note}"
