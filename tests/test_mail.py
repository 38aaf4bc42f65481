"""Outgoing mail: with no mail server set (development), every email is written where a person sees it."""

from __future__ import annotations

import logging

from lms.mail import send


def test_without_a_mail_server_the_email_and_its_link_reach_the_console_at_warning(app, caplog):
    app.config["MAIL_SERVER"] = ""
    with caplog.at_level(logging.WARNING):
        send("sam@northwind.example", "You're invited", "Join here: https://lms.test/invitations/abc123\n")
    [entry] = [r for r in caplog.records if "Email not sent" in r.getMessage()]
    assert entry.levelno == logging.WARNING  # `flask run` shows WARNING; INFO was dropped
    assert "sam@northwind.example" in entry.getMessage()
    assert "https://lms.test/invitations/abc123" in entry.getMessage()  # readable, not base64 MIME
