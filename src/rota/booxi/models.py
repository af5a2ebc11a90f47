"""Tables of the Booxi dialect: what Booxi knows that the shared staff member does not.

Public Booxi ids are integers: a merchant's (one per site), a group's, a schedule's and a
password-recovery request's are autoincrement keys here (never reused on SQLite either); a staff
member's is its ``number``. Rows about a staff member go when the staff member is removed for
good (``ON DELETE CASCADE``) and stay while it is in the trash bin, so a restore brings them back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, JsonDocument, Timestamped, UtcDateTime

_STAFF_FK = "staff_member.id"


class HeadOfficeGroup(Timestamped, Base):
    """A head-office group of merchants. Its head office is a site of its own, where the
    group's personnel templates live."""

    __tablename__ = "booxi_group"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    head_office_site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), unique=True
    )


class Merchant(Base):
    """A site as a Booxi merchant: its integer id, its group and its identity provider."""

    __tablename__ = "booxi_merchant"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), unique=True
    )
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("booxi_group.id", ondelete="SET NULL"), index=True
    )
    # A SAML identity provider: its name and the e-mail domains its users sign in with.
    idp_name: Mapped[str | None] = mapped_column(sa.String(100))
    idp_domains: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MerchantModule(Base):
    """A partner module (an HR system, a CRM) enabled for a merchant. Keys see the modules of
    their merchants; module links and external-id searches need one."""

    __tablename__ = "booxi_module"

    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffProfile(Base):
    """The Booxi-only fields of a staff member. Missing for staff made through the Wix dialect
    until Booxi writes them; readers fall back to the defaults."""

    __tablename__ = "booxi_staff"

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(sa.String(40))
    last_name: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[str | None] = mapped_column(sa.String(100))
    work_phone: Mapped[str | None] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(3))
    personnel_type: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    time_selection_mode: Mapped[str] = mapped_column(sa.String(30))
    is_template: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The head-office template the staff member was created from.
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ModuleLink(Timestamped, Base):
    """A staff member's external id (and free metadata) in a partner module."""

    __tablename__ = "booxi_module_link"
    __table_args__ = (
        sa.Index("ix_booxi_module_link_lookup", "module_id", "external_id", "site_id"),
    )

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(sa.String(200))
    link_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JsonDocument, default=dict)


class UserAccess(Timestamped, Base):
    """What the Booxi dialect set up for a staff member's sign-in. The account itself, the
    invitation and the connection are the accounts' and the staff domain's."""

    __tablename__ = "booxi_user_access"

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="CASCADE"), primary_key=True
    )
    # Lower-cased, like account e-mails.
    login_email: Mapped[str] = mapped_column(sa.String(320), index=True)
    user_role: Mapped[str] = mapped_column(sa.String(30))
    provider: Mapped[str] = mapped_column(sa.String(10))
    can_login: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class PasswordRecovery(Base):
    """A password-recovery code issued for a user through a staff member."""

    __tablename__ = "booxi_password_recovery"
    __table_args__ = (
        sa.Index("ix_booxi_password_recovery_user", "user_id", "requested_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    login_email: Mapped[str] = mapped_column(sa.String(320))
    code: Mapped[int] = mapped_column(sa.Integer)
    # Valid, Used or Expired; a Valid code past expires_at reads Expired.
    state: Mapped[str] = mapped_column(sa.String(10))
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class WorkSchedule(Timestamped, Base):
    """A dated weekly work schedule of a staff member. Its hours live in the calendar as
    WORKING_HOURS series on the staff member's events schedule (``event_ids``); this row keeps
    what Booxi reads back and which series it wrote."""

    __tablename__ = "booxi_staff_schedule"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey(_STAFF_FK, ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(500))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    weekly_hours: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    event_ids: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
