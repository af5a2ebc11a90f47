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
