"""The staff member table.

A staff member and its Bookings resource are created, trashed, restored and removed together, so
the resource's fields live on the same row: reads need no join and the pair can never half-exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, JsonDocument, Timestamped, UtcDateTime


class StaffMember(Timestamped, Base):
    __tablename__ = "staff_member"
    __table_args__ = (
        sa.Index("ix_staff_member_site_id_id", "site_id", "id"),
        sa.Index("ix_staff_member_site_deleted", "site_id", "deleted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(320))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    main_media: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    tags: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    extended_fields: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    service_provider: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    revision: Mapped[int] = mapped_column(sa.BigInteger)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    # The Bookings resource that ties the staff member to the calendar.
    resource_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    resource_revision: Mapped[int] = mapped_column(sa.BigInteger)
    events_schedule_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    working_hours_schedule_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    uses_default_working_hours: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    location_options: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    ranking: Mapped[int] = mapped_column(sa.Integer, default=0)

    # The user account the staff member is connected to (Wix "associatedWixIdentity").
    wix_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    identity_type: Mapped[str | None] = mapped_column(sa.String(30))
    connection_status: Mapped[str] = mapped_column(sa.String(20), default="DISCONNECTED")

    # Every UPDATE is guarded by "WHERE revision = <the revision we read>", so two writers that
    # read the same revision cannot both win; the service sets the next revision itself.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}
