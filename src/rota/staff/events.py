"""The staff member's domain events (entity ``wix.bookings.staff.v1.staff_member``), recorded in
the outbox in the same transaction as each change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.context import WriteContext
from rota.core.wire import format_timestamp
from rota.events import catalogue, outbox, rendering
from rota.events.envelope import BodyKind
from rota.events.outbox import EventDraft
from rota.staff.models import StaffMember
from rota.staff.schemas import RequestedField, StaffMemberRead

STAFF_FQDN = catalogue.STAFF_MEMBER
_EVENT_FIELDS = [RequestedField.RESOURCE_DETAILS, RequestedField.ASSOCIATED_IDENTITY_STATUS]
# What `StaffMemberRead.from_row` reads: the row an event keeps of the staff member. A column it
# starts to read must be added here (rendering a row without it fails, see `StoredRow`).
_RENDERED_COLUMNS = (
    "id",
    "name",
    "email",
    "phone",
    "description",
    "main_media",
    "resource_id",
    "working_hours_schedule_id",
    "events_schedule_id",
    "uses_default_working_hours",
    "location_options",
    "ranking",
    "resource_revision",
    "wix_user_id",
    "contact_id",
    "identity_type",
    "connection_status",
    "invitation_expires_at",
    "service_provider",
    "is_default",
    "gender",
    "revision",
    "created_at",
    "updated_at",
    "extended_fields",
    "tags",
)


def representation(staff: StaffMember, ctx: WriteContext) -> dict[str, Any]:
    """The staff member as events carry it, with resource details and connection status: its
    row, rendered when the event is read (`rendering`), as it read at the time of the write."""
    context = {"mediaBaseUrl": ctx.public_base_url, "now": ctx.now}
    return rendering.deferred(STAFF_FQDN, rendering.row_of(staff, _RENDERED_COLUMNS), context)


def _render(row: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    read = StaffMemberRead.from_row(
        # `connection_status` compares the invitation's expiry with the write's time.
        cast(StaffMember, rendering.StoredRow(row, times=("invitation_expires_at",))),
        _EVENT_FIELDS,
        media_base_url=context["mediaBaseUrl"],
        now=datetime.fromisoformat(context["now"]),
    )
    return read.model_dump(mode="json", by_alias=True, exclude_none=True)


def register_rendering() -> None:
    """Lets relays and the feed render the staff rows events hold: whatever runs them calls it."""
    rendering.register(STAFF_FQDN, _render)


def _draft(staff: StaffMember, slug: str, kind: BodyKind, body: dict[str, Any]) -> EventDraft:
    return EventDraft(STAFF_FQDN, slug, str(staff.id), kind, body)


async def _record(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, *drafts: EventDraft
) -> None:
    """The events of one change, in order; they ride on its last write (`outbox.write`)."""
    await outbox.record_all(session, site_id=staff.site_id, drafts=drafts, ctx=ctx)


async def created(session: AsyncSession, staff: StaffMember, ctx: WriteContext) -> None:
    """`created`, then `fully_created` once the resource and schedule are attached (at once)."""
    entity = representation(staff, ctx)
    await _record(
        session,
        staff,
        ctx,
        _draft(staff, "created", "created", {"entity": entity}),
        _draft(staff, "fully_created", "action", {"staffMember": entity}),
    )


async def restored(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, deleted_at: Any
) -> None:
    body = {
        "entity": representation(staff, ctx),
        "restoreInfo": {"deletedDate": format_timestamp(deleted_at)},
    }
    await _record(session, staff, ctx, _draft(staff, "created", "created", body))


def _updated_drafts(
    staff: StaffMember, entity: dict[str, Any], tags_before: dict[str, Any] | None
) -> list[EventDraft]:
    """`updated`, plus `tags_modified` when the tags changed."""
    drafts = [_draft(staff, "updated", "updated", {"currentEntity": entity})]
    if tags_before is not None and (tags_before or {}) != (staff.tags or {}):
        assigned, unassigned = _tag_difference(tags_before, staff.tags)
        body = {"staffMember": entity, "assignedTags": assigned, "unassignedTags": unassigned}
        drafts.append(_draft(staff, "tags_modified", "action", body))
    return drafts


async def updated(
    session: AsyncSession,
    staff: StaffMember,
    ctx: WriteContext,
    *,
    tags_before: dict[str, Any] | None = None,
) -> None:
    """`updated`, plus `tags_modified` when the tags changed."""
    entity = representation(staff, ctx)
    await _record(session, staff, ctx, *_updated_drafts(staff, entity, tags_before))


async def deleted(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, *, moved_to_trash: bool
) -> None:
    body = {"deletedEntity": representation(staff, ctx), "movedToTrash": moved_to_trash}
    await _record(session, staff, ctx, _draft(staff, "deleted", "deleted", body))


def _tag_difference(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    assigned: dict[str, Any] = {}
    unassigned: dict[str, Any] = {}
    for name in ("privateTags", "tags"):
        old = set(((before or {}).get(name) or {}).get("tagIds") or [])
        new = set(((after or {}).get(name) or {}).get("tagIds") or [])
        if new - old:
            assigned[name] = {"tagIds": sorted(new - old)}
        if old - new:
            unassigned[name] = {"tagIds": sorted(old - new)}
    return assigned, unassigned


async def connection_changed(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, *, slug: str
) -> None:
    """`updated`, then `connected_to_user` or `disconnected_from_user`."""
    entity = representation(staff, ctx)
    action = _draft(staff, slug, "action", {"staffMember": entity})
    await _record(session, staff, ctx, *_updated_drafts(staff, entity, None), action)
