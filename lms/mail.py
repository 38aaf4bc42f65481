"""The one outgoing-mail service: SMTP when MAIL_SERVER is set, otherwise the message goes to the log."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from jinja2 import TemplateNotFound

# One attachment: (filename, content, maintype, subtype) and optionally a dict of extra Content-Type parameters,
# e.g. ("invite.ics", ics_bytes, "text", "calendar", {"method": "REQUEST"}).
Attachment = tuple[str, bytes | str, str, str] | tuple[str, bytes | str, str, str, dict[str, str]]


def build_message(to: str, subject: str, text: str, html: str | None = None, *,
                  attachments: Sequence[Attachment] = (), reply_to: str | None = None) -> EmailMessage:
    """Return an EmailMessage from the configured sender with a plain-text and optional HTML part, the
    attachments after them (text ones declared UTF-8), and a Reply-To when given."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="abm-academy.example")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content, maintype, subtype, *rest in attachments:
        params = dict(rest[0]) if rest else {}
        data = content.encode() if isinstance(content, str) else content
        if maintype == "text":
            params.setdefault("charset", "utf-8")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
    return msg


def send(to: str, subject: str, text: str, html: str | None = None, *, attachments: Sequence[Attachment] = (),
         reply_to: str | None = None) -> EmailMessage:
    """Send one message (see build_message) and return it. Raises smtplib.SMTPException or OSError when the
    server fails."""
    msg = build_message(to, subject, text, html, attachments=attachments, reply_to=reply_to)
    cfg = current_app.config
    if not cfg["MAIL_SERVER"]:
        # Development: no mail server, so the email goes where a person sees it (WARNING reaches `flask run`'s
        # console), as plain text with its links readable.
        current_app.logger.warning("Email not sent (no MAIL_SERVER set): to %s, subject %r\n%s", to, subject, text)
        return msg
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"], context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
    return msg


def send_template(to: str, subject: str, template: str, *, attachments: Sequence[Attachment] = (),
                  reply_to: str | None = None, **context) -> EmailMessage:
    """Render templates/<template>.txt (and .html if present) and send them with any attachments (see send)."""
    text = render_template(f"{template}.txt", **context)
    try:
        html = render_template(f"{template}.html", **context)
    except TemplateNotFound:  # an HTML part is optional
        html = None
    return send(to, subject, text, html, attachments=attachments, reply_to=reply_to)
