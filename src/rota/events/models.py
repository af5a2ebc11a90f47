"""Tables of the outbox: events, webhook subscriptions, deliveries, attempts, signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, JsonDocument, Timestamped, UtcDateTime


class DomainEventRecord(Base):
    """One domain event, written in the transaction of the change it announces."""

    __tablename__ = "domain_event"
    __table_args__ = (
        sa.Index("ix_domain_event_site_txid_position", "site_id", "txid", "position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # Global order of recording (taken at insert, not at commit); per-entity ordering uses it.
    position: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    # The recording transaction (PostgreSQL's transaction id; on SQLite the position). The pull
    # feed pages by (txid, position) over finished transactions only (migration 0008).
    txid: Mapped[int] = mapped_column(sa.BigInteger)
    # No foreign keys on the outbox's rows: each would look up and lock its row in every write
    # (migration 0011). The outbox writes them from rows its transaction holds.
    site_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    entity_fqdn: Mapped[str] = mapped_column(sa.String(120))
    entity_id: Mapped[str] = mapped_column(sa.String(250))
    slug: Mapped[str] = mapped_column(sa.String(60))
    event_type: Mapped[str] = mapped_column(sa.String(200))
    # The envelope's entityEventSequence: increasing per entity, not contiguous. It is the
    # position (migration 0013): an entity's events are recorded by transactions that hold its
    # row, so its positions follow the order its changes commit. Events stored before that
    # migration keep their 1, 2, 3...; every position since is greater than any of them.
    entity_sequence: Mapped[int] = mapped_column(sa.BigInteger)
    event_time: Mapped[datetime] = mapped_column(UtcDateTime())
    # Written once and read back whole, never queried inside: json, not jsonb (migration 0014).
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON())
    identity: Mapped[dict[str, Any]] = mapped_column(sa.JSON())


class FanoutEntry(Base):
    """An event waiting for a relay to make its deliveries (if any subscription wants it):
    written with the event, deleted when its deliveries are made (`rota.events.fanout`)."""

    __tablename__ = "webhook_fanout"

    position: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)


class WebhookSubscription(Timestamped, Base):
    __tablename__ = "webhook_subscription"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(2000))
    # Event types delivered; empty means every type.
    event_types: Mapped[list[str]] = mapped_column(JsonDocument)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    format: Mapped[str] = mapped_column(sa.String(30))
    # The Standard Webhooks shared secret ("whsec_..."); None for the Wix JWT format.
    secret: Mapped[str | None] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.String(500))


# An index's predicate, on either database: the rows of pending deliveries.
_PENDING_ROWS: dict[str, Any] = {
    "postgresql_where": sa.text("state = 'PENDING'"),
    "sqlite_where": sa.text("state = 'PENDING'"),
}


class WebhookDelivery(Base):
    """One event for one subscription; its state machine is PENDING -> DELIVERED | DEAD."""

    __tablename__ = "webhook_delivery"
    # The claim reads pending deliveries only (migration 0015): in position order, each checked
    # for an earlier pending one of its entity. Indexes of pending rows alone keep both probes
    # short however long the history of delivered ones grows.
    __table_args__ = (
        sa.Index("ix_webhook_delivery_pending", "position", **_PENDING_ROWS),
        sa.Index(
            "ix_webhook_delivery_pending_order",
            "subscription_id",
            "ordering_key",
            "position",
            **_PENDING_ROWS,
        ),
        sa.Index("ix_webhook_delivery_subscription", "subscription_id"),
        sa.Index("ix_webhook_delivery_site", "site_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # Written with its event, unchecked like it (see DomainEventRecord.site_id); deleting a
    # subscription deletes its deliveries (`repository.delete_subscription`).
    site_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    subscription_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    # Deliveries with the same key (one entity) go out one at a time, in position order.
    ordering_key: Mapped[str] = mapped_column(sa.String(400))
    position: Mapped[int] = mapped_column(sa.BigInteger)
    state: Mapped[str] = mapped_column(sa.String(20))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Set while a relay is sending it; another relay may take it over once this passes.
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeliveryAttempt(Base):
    __tablename__ = "webhook_attempt"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_ms: Mapped[int] = mapped_column(sa.Integer)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(1000))


class SigningKey(Base):
    """An RSA key that signs Wix-format webhooks. Retired keys stay published for a while so
    receivers can still verify deliveries signed just before a rotation."""

    __tablename__ = "webhook_signing_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
