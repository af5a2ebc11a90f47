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
        # The trash bin, in id order.
        sa.Index(
            "ix_staff_member_trash",
            "site_id",
            "id",
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
        ),
        # Keyset paging, equality filters and counts skip trashed rows (migrations 0002 and 0007
        # build these; on PostgreSQL the nullable text ones are in the "C" collation the query
        # language sorts in, NULLS FIRST like its sorts, and the full-text index
        # ix_staff_member_search over search_tokens is built by hand too).
        *(
            sa.Index(
                name,
                *columns,
                postgresql_where=sa.text("deleted_at IS NULL"),
                sqlite_where=sa.text("deleted_at IS NULL"),
            )
            for name, columns in (
                ("ix_staff_member_live_created", ("site_id", "created_at", "id")),
                ("ix_staff_member_live_updated", ("site_id", "updated_at", "id")),
                ("ix_staff_member_live_description", ("site_id", "description", "id")),
                ("ix_staff_member_live_identity_type", ("site_id", "identity_type", "id")),
                ("ix_staff_member_live_resource", ("site_id", "resource_id")),
                ("ix_staff_member_live_user", ("site_id", "wix_user_id")),
                ("ix_staff_member_live_contact", ("site_id", "contact_id")),
                ("ix_staff_member_live_name", ("site_id", "name")),
                ("ix_staff_member_live_email", ("site_id", "email")),
                ("ix_staff_member_live_phone", ("site_id", "phone")),
                ("ix_staff_member_live_provider", ("site_id", "service_provider")),
                ("ix_staff_member_live_number", ("site_id", "number")),
            )
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # A compact integer id, unique in the database: the Booxi dialect's staff id and the SQLite
    # full-text index's rowid.
    number: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(40))
    # The name folded for search (lower case, no accents, words split by single spaces).
    search_text: Mapped[str] = mapped_column(sa.String(80), default="")
    # What the full-text indexes hold: the words of search_text behind the site's hex id
    # (`search_text.site_tokens`), written with search_text by the service.
    search_tokens: Mapped[str] = mapped_column(sa.Text, default="")
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
    # The business location ids of `location_options`, as a flat array the query language filters.
    business_location_ids: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    ranking: Mapped[int] = mapped_column(sa.Integer, default=0)

    # The user account the staff member is connected to (Wix "associatedWixIdentity").
    wix_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    identity_type: Mapped[str | None] = mapped_column(sa.String(30))
    connection_status: Mapped[str] = mapped_column(sa.String(20), default="DISCONNECTED")
    # While PENDING: when the invitation lapses (the status then reads EXPIRED).
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Whether connecting made the user a site member, so disconnecting takes that back too.
    granted_membership: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    # Every UPDATE is guarded by "WHERE revision = <the revision we read>", so two writers that
    # read the same revision cannot both win; the service sets the next revision itself.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class StaffSearchTerm(Base):
    """Every word that has appeared in a staff name of the site: the term dictionary that fuzzy
    search expands a mistyped word against. Terms are never removed; a stale one only expands
    to a word that matches nothing."""

    __tablename__ = "staff_search_term"

    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    # As long as search_text: folding can lengthen a word ("ß" becomes "ss").
    term: Mapped[str] = mapped_column(sa.String(80), primary_key=True)


class StaffSearchPrefix(Base):
    """The prefix postings of staff names (`search_rank.prefix_postings`): for every prefix of
    every word of a name, the name's score with that prefix as the search term. The key is the
    order a ranked search reads a term's matches in, best first, so that its first page costs
    the same whatever the number of matches. Written with ``search_text`` by the service; rows
    of trashed staff members stay (a restore needs them) and are skipped when read."""

    __tablename__ = "staff_search_prefix"
    __table_args__ = ({"sqlite_with_rowid": False},)

    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    score: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)


class StaffCount(Base):
    """How many live staff members a site has, and how many of them are service providers,
    kept by the service in the transaction of every change that moves them (create, trash,
    restore, set-service-provider), so that an unfiltered count reads one row."""

    __tablename__ = "staff_count"

    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    live: Mapped[int] = mapped_column(sa.BigInteger)
    providers: Mapped[int] = mapped_column(sa.BigInteger)


class BulkJob(Timestamped, Base):
    """A durable background job (bulk tag updates by filter). Progress is committed batch by
    batch with the position reached, so a restarted server resumes where it stopped."""

    __tablename__ = "bulk_job"
    __table_args__ = (sa.Index("ix_bulk_job_state", "state", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    total: Mapped[int | None] = mapped_column(sa.Integer)
    processed: Mapped[int] = mapped_column(sa.Integer, default=0)
    succeeded: Mapped[int] = mapped_column(sa.Integer, default=0)
    failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    # The id of the last staff member handled; the next batch starts after it.
    position: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
