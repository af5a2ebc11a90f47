"""Pure: the e-mails Rota writes."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

SENDER = "Rota <no-reply@rota.invalid>"


def invitation_message(
    *, to: str, site_name: str, staff_name: str, link: str, expires_at: datetime, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"{site_name} invites you to manage your schedule"
    message["Date"] = format_datetime(expires_at)
    message["Message-ID"] = make_msgid(domain="rota.invalid")
    message.set_content(
        f"Hello {staff_name},\n\n"
        f"{site_name} uses Rota for its staff schedules and has invited you to connect your "
        "account, so you can see and edit your own working hours.\n\n"
        f"Accept the invitation here (the link works once):\n{link}\n\n"
        f"The invitation expires on {expires_at:%Y-%m-%d %H:%M} UTC.\n"
    )
    return message
