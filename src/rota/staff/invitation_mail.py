"""E-mailing a staff invitation once the change that made it has committed. Both dialects'
connect calls (Wix connect-staff-member-to-user, Booxi userAccess) use it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.db import after_commit
from rota.identity import account_service
from rota.mail.messages import invitation_message
from rota.mail.sender import Mailer
from rota.staff.connection import InvitationToSend

# Where an invitation link points (the accounts API serves it).
INVITATIONS = "/accounts/v1/invitations"


def invitation_link(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}{INVITATIONS}/{token}"


def send_after_commit(
    session: AsyncSession,
    *,
    mailer: Mailer,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    invite: InvitationToSend,
) -> None:
    """E-mail the invitation once the connect has committed; record whether it went out, so a
    failed send leaves the invitation ready to be sent again."""

    async def send() -> None:
        message = invitation_message(
            to=invite.email,
            site_name=invite.site_name,
            staff_name=invite.staff_name,
            link=invitation_link(settings, invite.token),
            expires_at=invite.expires_at,
            sender=settings.mail_from,
        )
        error: str | None = None
        try:
            await mailer.send(message)
        except Exception as exc:  # any transport failure: keep it retryable and say why
            error = f"{type(exc).__name__}: {exc}"
        async with sessionmaker.begin() as record:
            await account_service.record_invitation_sent(
                record, invitation_id=invite.invitation_id, error=error, now=utc_now()
            )

    after_commit(session, send)
