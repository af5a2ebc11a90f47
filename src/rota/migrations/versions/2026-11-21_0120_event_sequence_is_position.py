"""An event's sequence among its entity's events is its position.

The envelope's ``entityEventSequence`` must increase per entity; it need not be contiguous (a
subscription that filters event types sees gaps anyway). Numbering 1, 2, 3... per entity cost
every event insert a lookup of its entity's last sequence and an entry in a unique index on
(entity_fqdn, entity_id, entity_sequence): about 0.06 ms of a staff update's 1.4 ms statement
and commit on PostgreSQL (measured by replaying that statement through asyncpg). Since this
migration an event's sequence is its position: an entity's events are recorded by transactions
that hold its row, so their positions follow the order its changes commit, and every new
position is greater than any sequence stored before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONSTRAINT = "uq_domain_event_entity_fqdn_entity_id_entity_sequence"
_COLUMNS = ["entity_fqdn", "entity_id", "entity_sequence"]


def upgrade() -> None:
    with op.batch_alter_table("domain_event") as batch_op:
        batch_op.drop_constraint(_CONSTRAINT, type_="unique")


def downgrade() -> None:
    # Positions are unique, so the sequences stored since stay unique per entity.
    with op.batch_alter_table("domain_event") as batch_op:
        batch_op.create_unique_constraint(_CONSTRAINT, _COLUMNS)
