"""A real SMTP server for tests, on a free loopback port, collecting the messages it receives."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.ports import free_port


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, controller: Controller, handler: _Collect, port: int) -> None:
        self.controller, self.handler, self.port = controller, handler, port

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def config(self) -> dict:
        """App settings that point outgoing mail at this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}

    def stop(self) -> None:
        self.controller.stop()


def start_smtp() -> SMTPServer:
    """Start the server and return it; call .stop() when done."""
    handler = _Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return SMTPServer(controller, handler, port)


def body_of(message: EmailMessage) -> str:
    """Return the plain-text body of a received message."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""
