"""Tables for schedules and calendar events.

Events keep the wall-clock time and IANA zone they were written in (``start_local``,
``time_zone``) as the source of truth, plus the derived UTC instants for range queries; recurring
events are stored once as a MASTER with its weekly rule and expanded when read. INSTANCEs are
never stored unless they are replaced: an EXCEPTION (an updated instance) or a cancelled instance
is a row whose ``recurring_event_id`` and ``original_date`` name the occurrence it replaces.

A few columns repeat facts of the JSON documents so queries can filter on them with plain
indexes on both databases (``location_type``, ``location_id``, ``conferencing_type``,
``resource_ids``); the service writes both together.

Both tables guard updates with ``WHERE revision = <the revision read>``: two writers that read the
same revision cannot both win. The service sets the next revision itself.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, JsonDocument, Timestamped, UtcDateTime


class Schedule(Timestamped, Base):
    __tablename__ = "schedule"
    __table_args__ = (
        sa.Index("ix_schedule_site_external", "site_id", "external_id"),
        sa.Index("ix_schedule_site_idempotency", "site_id", "idempotency_key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(sa.String(250))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default="ACTIVE")
    time_zone: Mapped[str] = mapped_column(sa.String(150))
    business_time_zone_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    default_title: Mapped[str | None] = mapped_column(sa.String(200))
    default_location: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    default_capacity: Mapped[int | None] = mapped_column(sa.Integer)
    default_conferencing_details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    app_id: Mapped[str | None] = mapped_column(sa.String(36))
    permissions: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    extended_fields: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(36))

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class CalendarEvent(Timestamped, Base):
    __tablename__ = "calendar_event"
    __table_args__ = (
        sa.Index("ix_calendar_event_schedule_start", "schedule_id", "start_utc"),
        sa.Index("ix_calendar_event_site_type", "site_id", "type"),
        sa.Index("ix_calendar_event_site_start", "site_id", "start_utc"),
        sa.Index("ix_calendar_event_site_idempotency", "site_id", "idempotency_key", unique=True),
        sa.Index(
            "ix_calendar_event_occurrence", "recurring_event_id", "original_date", unique=True
        ),
        # Finds the events listing a resource (`?|`): GIN on PostgreSQL; a plain index on SQLite,
        # which the timeline query does not need there but keeps both schemas alike.
        sa.Index("ix_calendar_event_resource_ids", "resource_ids", postgresql_using="gin"),
    )

    id: Mapped[str] = mapped_column(sa.String(250), primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    schedule_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("schedule.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(sa.String(40), default="DEFAULT")
    status: Mapped[str] = mapped_column(sa.String(30), default="CONFIRMED")
    title: Mapped[str | None] = mapped_column(sa.String(200))
    # Wall-clock ISO local date-times ("2024-01-30T13:30:00") in `time_zone`.
    start_local: Mapped[str] = mapped_column(sa.String(19))
    end_local: Mapped[str] = mapped_column(sa.String(19))
    time_zone: Mapped[str] = mapped_column(sa.String(150))
    start_utc: Mapped[datetime] = mapped_column(UtcDateTime())
    end_utc: Mapped[datetime] = mapped_column(UtcDateTime())
    recurrence_type: Mapped[str] = mapped_column(sa.String(20), default="NONE")
    recurrence_rule: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    recurring_event_id: Mapped[str | None] = mapped_column(sa.String(250), index=True)
    transparency: Mapped[str] = mapped_column(sa.String(20), default="OPAQUE")
    location: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    resources: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    total_capacity: Mapped[int | None] = mapped_column(sa.Integer)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    conferencing_details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    inherited_fields: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    app_id: Mapped[str | None] = mapped_column(sa.String(36))
    extended_fields: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    all_day: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(36))
    # EXCEPTIONs and cancelled INSTANCEs: the local date of the MASTER occurrence they replace.
    original_date: Mapped[date | None] = mapped_column(sa.Date)
    # When the event (for a MASTER: its last occurrence) ends; NULL for a series without end.
    last_end_utc: Mapped[datetime | None] = mapped_column(UtcDateTime())
    location_type: Mapped[str | None] = mapped_column(sa.String(20))
    location_id: Mapped[str | None] = mapped_column(sa.String(250))
    conferencing_type: Mapped[str | None] = mapped_column(sa.String(20))
    resource_ids: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}
