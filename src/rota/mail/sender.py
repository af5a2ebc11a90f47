"""Delivering e-mail. ``ROTA_SMTP_URL`` picks SMTP: ``smtp://user:pass@host:587?starttls=true``
or ``smtps://host:465`` (implicit TLS); without it, messages are written as ``.eml`` files and
the first link in them is logged, so a local `make run` works offline."""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger("rota.mail")
_LINK = re.compile(r"https?://\S+")


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 20.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("ROTA_SMTP_URL must look like smtp://user:pass@host:587?starttls=true")
        options = parse_qs(parts.query)
        self._host = parts.hostname
        self._implicit_tls = parts.scheme == "smtps"
        self._port = parts.port or (465 if self._implicit_tls else 25)
        self._starttls = options.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout

    def _send_blocking(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
            if self._implicit_tls
            else smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        )
        with client:
            if self._starttls:
                client.starttls(context=context)
            if self._username:
                client.login(self._username, self._password or "")
            client.send_message(message)

    async def send(self, message: EmailMessage) -> None:
        # smtplib blocks; a thread keeps the event loop serving other requests meanwhile.
        await asyncio.to_thread(self._send_blocking, message)


class FileMailer:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def send(self, message: EmailMessage) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        name = (message["Message-ID"] or "message").strip("<>").replace("@", "_")
        path = self._directory / f"{name}.eml"
        path.write_bytes(bytes(message))
        body = message.get_body(("plain",))
        links = _LINK.findall(body.get_content() if body is not None else "")
        logger.warning(
            "mail to %s written to %s; link: %s", message["To"], path, links[0] if links else "-"
        )


def mailer_for(smtp_url: str | None, mail_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else FileMailer(mail_dir)
