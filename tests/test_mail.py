"""Outgoing mail: with no mail server set (development), every email is written where a person sees it; with one,
attachments and Reply-To arrive intact."""

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


def test_attachments_and_reply_to_reach_the_mail_server_intact(app, smtp_server):
    app.config.update(smtp_server.config())
    invite = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Café workshop\r\nEND:VCALENDAR\r\n".encode()
    send("sam@northwind.example", "Booked", "See you there.\n", "<p>See you there.</p>",
         attachments=[("invitation.ics", invite, "text", "calendar", {"method": "REQUEST"}),
                      ("notes.txt", "Bring your list of accounts.", "text", "plain")],
         reply_to="Dana Scully <dana@northwind.example>")
    [message] = smtp_server.messages
    assert message["Reply-To"] == "Dana Scully <dana@northwind.example>"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "See you there."
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>See you there.</p>"
    calendar, notes = message.iter_attachments()
    assert calendar.get_content_type() == "text/calendar"
    assert (calendar.get_param("method"), calendar.get_content_charset()) == ("REQUEST", "utf-8")
    assert calendar.get_filename() == "invitation.ics"
    assert calendar.get_payload(decode=True) == invite  # byte for byte, accents included
    assert (notes.get_filename(), notes.get_payload(decode=True)) == ("notes.txt", b"Bring your list of accounts.")


def test_a_message_without_attachments_stays_a_plain_text_email(app, smtp_server):
    app.config.update(smtp_server.config())
    send("sam@northwind.example", "Hello", "Just text.\n")
    [message] = smtp_server.messages
    assert message.get_content_type() == "text/plain" and message["Reply-To"] is None
    assert list(message.iter_attachments()) == []
