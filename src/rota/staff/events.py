"""The staff member's domain events (entity ``wix.bookings.staff.v1.staff_member``), recorded in
the outbox in the same transaction as each change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.context import WriteContext
from rota.core.wire import format_timestamp
from rota.events import outbox
from rota.events.envelope import BodyKind
from rota.staff.models import StaffMember
from rota.staff.schemas import RequestedField, StaffMemberRead

STAFF_FQDN = "wix.bookings.staff.v1.staff_member"
_EVENT_FIELDS = [RequestedField.RESOURCE_DETAILS, RequestedField.ASSOCIATED_IDENTITY_STATUS]


def representation(staff: StaffMember, ctx: WriteContext) -> dict[str, Any]:
    """The staff member as events carry it: with resource details and connection status."""
    read = StaffMemberRead.from_row(staff, _EVENT_FIELDS, media_base_url=ctx.public_base_url)
    return read.model_dump(mode="json", by_alias=True, exclude_none=True)


async def _record(
    session: AsyncSession,
    staff: StaffMember,
    ctx: WriteContext,
    slug: str,
    kind: BodyKind,
    body: dict[str, Any],
) -> None:
    await outbox.record(
        session,
        site_id=staff.site_id,
        entity_fqdn=STAFF_FQDN,
        slug=slug,
        entity_id=str(staff.id),
        body_kind=kind,
        body=body,
        ctx=ctx,
    )


async def created(session: AsyncSession, staff: StaffMember, ctx: WriteContext) -> None:
    """`created`, then `fully_created` once the resource and schedule are attached (at once)."""
    entity = representation(staff, ctx)
    await _record(session, staff, ctx, "created", "created", {"entity": entity})
    await _record(session, staff, ctx, "fully_created", "action", {"staffMember": entity})


async def restored(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, deleted_at: Any
) -> None:
    body = {
        "entity": representation(staff, ctx),
        "restoreInfo": {"deletedDate": format_timestamp(deleted_at)},
    }
    await _record(session, staff, ctx, "created", "created", body)


async def updated(
    session: AsyncSession,
    staff: StaffMember,
    ctx: WriteContext,
    *,
    tags_before: dict[str, Any] | None = None,
) -> None:
    """`updated`, plus `tags_modified` when the tags changed."""
    entity = representation(staff, ctx)
    await _record(session, staff, ctx, "updated", "updated", {"currentEntity": entity})
    if tags_before is not None and (tags_before or {}) != (staff.tags or {}):
        assigned, unassigned = _tag_difference(tags_before, staff.tags)
        body = {"staffMember": entity, "assignedTags": assigned, "unassignedTags": unassigned}
        await _record(session, staff, ctx, "tags_modified", "action", body)


async def deleted(
    session: AsyncSession, staff: StaffMember, ctx: WriteContext, *, moved_to_trash: bool
) -> None:
    body = {"deletedEntity": representation(staff, ctx), "movedToTrash": moved_to_trash}
    await _record(session, staff, ctx, "deleted", "deleted", body)


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
    await updated(session, staff, ctx)
    await _record(session, staff, ctx, slug, "action", {"staffMember": representation(staff, ctx)})
