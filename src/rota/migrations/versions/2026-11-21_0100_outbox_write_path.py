"""The outbox's write path checks no foreign keys.

Every change inserts its events, and their deliveries, in its own transaction. The foreign keys
of ``domain_event.site_id`` and of ``webhook_delivery`` (site, event, subscription) made each of
those inserts look up and lock the referenced rows, the site's row above all, which a staff
update touches nowhere else: a measurable share of what the outbox added to a write. The outbox
writes these rows itself, from rows the same transaction holds, so the keys guarded nothing a
caller could break. What their ON DELETE CASCADE did is now done by the code that deletes
(a subscription's deliveries go with it; sites are never deleted).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, constraint, column, referenced table)
_KEYS = (
    ("domain_event", "fk_domain_event_site_id_site", "site_id", "site"),
    ("webhook_delivery", "fk_webhook_delivery_site_id_site", "site_id", "site"),
    ("webhook_delivery", "fk_webhook_delivery_event_id_domain_event", "event_id", "domain_event"),
    (
        "webhook_delivery",
        "fk_webhook_delivery_subscription_id_webhook_subscription",
        "subscription_id",
        "webhook_subscription",
    ),
)


def upgrade() -> None:
    for table in ("domain_event", "webhook_delivery"):
        with op.batch_alter_table(table) as batch_op:
            for owner, name, _, _ in _KEYS:
                if owner == table:
                    batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table in ("domain_event", "webhook_delivery"):
        with op.batch_alter_table(table) as batch_op:
            for owner, name, column, referred in _KEYS:
                if owner == table:
                    batch_op.create_foreign_key(
                        name, referred, [column], ["id"], ondelete="CASCADE"
                    )
