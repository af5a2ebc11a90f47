"""Tables for sites and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, JsonDocument, Timestamped, UtcDateTime


class Site(Timestamped, Base):
    """A tenant: one business. Every other record carries its site id."""

    __tablename__ = "site"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    time_zone: Mapped[str] = mapped_column(sa.String(150))


class ApiKey(Base):
    """A secret presented by integrations. Only its SHA-256 hash is stored."""

    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The first characters of the key, shown in listings so operators can tell keys apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ApiKeySite(Base):
    """Grants a key access to a site; a key may serve several sites."""

    __tablename__ = "api_key_site"

    api_key_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )


class User(Timestamped, Base):
    """A person who can sign in. Its id is the Wix `wixUserId` of a connected staff member."""

    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # Stored lower-cased; unique across the installation (one account per address).
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    # None until a password is set (invited, or signing in through an identity provider).
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    can_login: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SiteMembership(Timestamped, Base):
    """A user's role on a site."""

    __tablename__ = "site_membership"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(30))


class Invitation(Timestamped, Base):
    """An invitation to join a site (and, for staff, to connect to a staff member). Only the
    SHA-256 of the link's token is stored; the link is single-use."""

    __tablename__ = "invitation"
    __table_args__ = (sa.Index("ix_invitation_site_staff", "site_id", "staff_member_id"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    staff_member_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(30))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # PENDING, ACCEPTED, CANCELLED; "expired" is PENDING past expires_at.
    state: Mapped[str] = mapped_column(sa.String(20))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Set once the e-mail went out; a failed send leaves it empty and the invitation resendable.
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    send_error: Mapped[str | None] = mapped_column(sa.String(500))


class RefreshToken(Base):
    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class LoginFailure(Base):
    """A failed sign-in, counted per account and per client address to slow guessing."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # "email:<address>" or "ip:<address>"
    key: Mapped[str] = mapped_column(sa.String(400))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
