"""Staff members: create, read, update, trash, restore and their working-hours assignment.

Every function works inside the caller's transaction and never commits. Changes arrive as plain
values keyed by model attribute (``StaffMemberChanges``), never as wire schemas, so every API
dialect calls the same functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from rota.calendar import service as calendar_service
from rota.core.context import WriteContext
from rota.core.errors import FieldViolation, InvalidInput, RevisionMismatch, RotaError
from rota.media import service as media_service
from rota.staff import events as staff_events
from rota.staff import repository, search_repository, tags
from rota.staff.errors import (
    EmptyTagLists,
    InvalidWorkingHoursSchedule,
    NoImageFound,
    StaffMemberNotFound,
    StaffMemberNotInTrash,
    TooManyTags,
)
from rota.staff.models import StaffMember
from rota.staff.query_fields import STAFF_QUERY_FIELDS
from rota.staff.search_text import fold, site_tokens
from rota.wixquery import QueryError, parse_filter

EDITABLE_FIELDS = frozenset(
    {"name", "email", "phone", "description", "main_media", "tags", "extended_fields", "gender"}
)


@dataclass(frozen=True)
class StaffMemberChanges:
    """New values for editable fields; a key present with ``None`` clears that field."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.values) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"Not editable: {sorted(unknown)}")


async def _resolve_main_media(
    session: AsyncSession, *, site_id: uuid.UUID, main_media: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """Check the image belongs to this site and keep its facts beside the caller's alt text."""
    if not main_media or not main_media.get("image"):
        return None
    image_input = main_media["image"]
    media_id = image_input.get("id")
    try:
        image_id = uuid.UUID(str(media_id))
    except ValueError:
        image_id = None
    image = (
        await media_service.find_site_image(session, site_id=site_id, image_id=image_id)
        if image_id
        else None
    )
    if image is None:
        raise NoImageFound(
            f"Image: {media_id} does not exist",
            details={"field": "staffMember.mainMedia.image.id", "imageId": media_id},
        )
    stored: dict[str, Any] = {
        "id": str(image.id),
        "width": image.width,
        "height": image.height,
        "filename": image.filename,
    }
    if image_input.get("altText"):
        stored["altText"] = image_input["altText"]
    return {"image": stored}


async def _apply(session: AsyncSession, staff: StaffMember, changes: StaffMemberChanges) -> None:
    for name, value in changes.values.items():
        if name == "main_media":
            value = await _resolve_main_media(session, site_id=staff.site_id, main_media=value)
        setattr(staff, name, value)
    if "name" in changes.values:
        old_text, staff.search_text = staff.search_text or "", fold(staff.name)
        staff.search_tokens = site_tokens(staff.site_id, staff.search_text)
        await search_repository.replace_postings(
            session,
            site_id=staff.site_id,
            staff_id=staff.id,
            old_text=old_text,
            new_text=staff.search_text,
        )
        await repository.add_dictionary_words(
            session, site_id=staff.site_id, words=staff.search_text.split()
        )


async def create_staff_member(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    changes: StaffMemberChanges,
    service_provider: bool = True,
    ctx: WriteContext,
) -> StaffMember:
    """A staff member with its resource and own events schedule, on the business hours."""
    # Every site has its business schedule, in the site's time zone; finding it proves the site.
    business = await calendar_service.get_business_schedule(session, site_id=site_id)
    staff_id, resource_id = uuid.uuid4(), uuid.uuid4()
    events_schedule = await calendar_service.create_staff_schedule(
        session,
        site_id=site_id,
        resource_id=resource_id,
        name=str(changes.values.get("name", "")),
        time_zone=business.time_zone,
        ctx=ctx,
    )
    staff = StaffMember(
        id=staff_id,
        site_id=site_id,
        service_provider=service_provider,
        is_default=False,
        # Wix answers a create with revision 2: the staff member, then the resource attached.
        revision=2,
        created_at=ctx.now,
        updated_at=ctx.now,
        resource_id=resource_id,
        resource_revision=1,
        events_schedule_id=events_schedule.id,
        working_hours_schedule_id=business.id,
        uses_default_working_hours=True,
        ranking=0,
        connection_status="DISCONNECTED",
    )
    await _apply(session, staff, changes)
    await repository.add(session, staff)
    await staff_events.created(session, staff, ctx)
    await _count(session, staff, live=1)  # the last write: the events ride on it
    return staff


async def _count(
    session: AsyncSession, staff: StaffMember, *, live: int = 0, provider: int = 0
) -> None:
    """Move the site's counts: ``live`` staff members more (or fewer), of whom service
    providers as this one is, and ``provider`` service providers more."""
    await repository.move_counts(
        session,
        site_id=staff.site_id,
        live=live,
        providers=provider + (live if staff.service_provider else 0),
    )


async def get_staff_member(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember:
    staff = await repository.get_live(session, site_id=site_id, staff_id=staff_id)
    if staff is None:
        raise StaffMemberNotFound(f"Staff member {staff_id} does not exist")
    return staff


def _check_revision(staff: StaffMember, revision: int) -> None:
    if staff.revision != revision:
        raise RevisionMismatch(
            f"Revision {revision} of staff member {staff.id} is stale; the current revision is "
            f"{staff.revision}: get the staff member again and retry",
            details={"currentRevision": str(staff.revision)},
        )


async def _write(session: AsyncSession, staff: StaffMember) -> None:
    """Write the staff member's changes, with the events recorded for them, unless another
    request changed it since it was read."""
    if not await repository.save(session, staff):
        raise RevisionMismatch(
            f"Staff member {staff.id} was changed by another request; get it again and retry"
        )


async def save_staff_member(
    session: AsyncSession,
    staff: StaffMember,
    ctx: WriteContext,
    *,
    announce: Callable[[], Awaitable[None]],
) -> StaffMember:
    """Write a changed staff member as its next revision, guarded against concurrent writers.
    ``announce`` records the change's events: it runs once the staff member is its next
    revision, and the events are written with it, in the same statement where the database
    allows."""
    staff.revision += 1
    staff.updated_at = ctx.now
    await announce()
    await _write(session, staff)
    return staff


async def update_staff_member(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    revision: int,
    changes: StaffMemberChanges,
    ctx: WriteContext,
) -> StaffMember:
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    _check_revision(staff, revision)
    tags_before = dict(staff.tags or {}) if "tags" in changes.values else None
    await _apply(session, staff, changes)
    if "name" in changes.values:
        schedule = await calendar_service.get_schedule(
            session, site_id=site_id, schedule_id=staff.events_schedule_id
        )
        if schedule is not None:
            await calendar_service.rename_schedule(session, schedule, name=staff.name, ctx=ctx)
    updated = partial(staff_events.updated, session, staff, ctx, tags_before=tags_before)
    await save_staff_member(session, staff, ctx, announce=updated)
    return staff


async def delete_staff_member(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID, ctx: WriteContext
) -> StaffMember:
    """Move the staff member and its resource to the trash bin, from where it can be restored."""
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    staff.deleted_at = ctx.now
    await staff_events.deleted(session, staff, ctx, moved_to_trash=True)
    await _write(session, staff)
    await _count(session, staff, live=-1)
    return staff


async def get_deleted_staff_member(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember:
    staff = await repository.get_trashed(session, site_id=site_id, staff_id=staff_id)
    if staff is None:
        raise StaffMemberNotInTrash(f"Staff member {staff_id} is not in the trash bin")
    return staff


async def list_deleted_staff_members(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID],
    after_id: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[StaffMember], bool]:
    """A page of trashed staff members and whether more follow."""
    rows = await repository.list_trashed(
        session, site_id=site_id, staff_ids=staff_ids, after_id=after_id, limit=limit + 1
    )
    return rows[:limit], len(rows) > limit


async def restore_staff_member(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID, ctx: WriteContext
) -> StaffMember:
    staff = await get_deleted_staff_member(session, site_id=site_id, staff_id=staff_id)
    deleted_at = staff.deleted_at
    staff.deleted_at = None
    restored = partial(staff_events.restored, session, staff, ctx, deleted_at)
    await save_staff_member(session, staff, ctx, announce=restored)
    await _count(session, staff, live=1)
    return staff


async def remove_from_trash(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID, ctx: WriteContext
) -> None:
    """Delete for good: the staff member, its resource and its own events schedule."""
    staff = await get_deleted_staff_member(session, site_id=site_id, staff_id=staff_id)
    await staff_events.deleted(session, staff, ctx, moved_to_trash=False)
    schedule_id = staff.events_schedule_id
    await search_repository.replace_postings(
        session, site_id=site_id, staff_id=staff.id, old_text=staff.search_text, new_text=""
    )
    await repository.delete(session, staff)
    await calendar_service.delete_schedules(
        session, site_id=site_id, schedule_ids=[schedule_id], ctx=ctx
    )


async def set_service_provider(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    service_provider: bool,
    ctx: WriteContext,
) -> StaffMember:
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    if staff.service_provider == service_provider:
        return staff
    staff.service_provider = service_provider
    await save_staff_member(
        session, staff, ctx, announce=partial(staff_events.updated, session, staff, ctx)
    )
    await _count(session, staff, provider=1 if service_provider else -1)
    return staff


async def assign_working_hours_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    schedule_id: uuid.UUID,
    ctx: WriteContext,
) -> StaffMember:
    """Point the staff member at its own events schedule (custom hours) or back at the
    business schedule (default hours); no other schedule can hold a staff member's hours."""
    staff = await get_staff_member(session, site_id=site_id, staff_id=staff_id)
    business = await calendar_service.get_business_schedule(session, site_id=site_id)
    if schedule_id not in (staff.events_schedule_id, business.id):
        raise InvalidWorkingHoursSchedule(
            f"Schedule {schedule_id} cannot hold this staff member's working hours: use the staff "
            f"member's events schedule {staff.events_schedule_id} for custom hours or the "
            f"business schedule {business.id} for the default hours",
            details={"scheduleId": str(schedule_id)},
        )
    if staff.working_hours_schedule_id == schedule_id:
        return staff
    staff.working_hours_schedule_id = schedule_id
    staff.uses_default_working_hours = schedule_id == business.id
    staff.resource_revision += 1
    await save_staff_member(
        session, staff, ctx, announce=partial(staff_events.updated, session, staff, ctx)
    )
    return staff


async def list_staff_by_ids(
    session: AsyncSession, *, site_id: uuid.UUID, staff_ids: Sequence[uuid.UUID]
) -> list[StaffMember]:
    """The live staff members among ``staff_ids``, in the order asked, unknown ids skipped."""
    found = await repository.get_many_live(session, site_id=site_id, staff_ids=staff_ids)
    return [found[i] for i in dict.fromkeys(staff_ids) if i in found]


async def query_staff(
    session: AsyncSession, *, site_id: uuid.UUID, filter: Mapping[str, Any] | None, limit: int
) -> list[StaffMember]:
    """Up to ``limit`` live staff members (providers or not) matching a WQL filter, by id."""
    try:
        node = parse_filter(dict(filter) if filter else None, STAFF_QUERY_FIELDS)
    except QueryError as error:
        raise InvalidInput(
            error.message,
            violations=[FieldViolation(error.field, error.message, error.rule)],
        ) from None
    rows = await repository.query_page(
        session,
        site_id=site_id,
        filter_node=node,
        sort=(),
        after=None,
        forward=True,
        limit=limit,
    )
    return [staff for staff, _ in rows]


@dataclass(frozen=True)
class ItemOutcome:
    """One item of a bulk call: its position in the request and the error, if it failed."""

    id: uuid.UUID
    index: int
    error: RotaError | None = None


def check_tag_lists(assign: Mapping[str, Any] | None, unassign: Mapping[str, Any] | None) -> None:
    if tags.is_empty(dict(assign or {})) and tags.is_empty(dict(unassign or {})):
        raise EmptyTagLists(
            "assignTags and unassignTags are both empty: name at least one tag to assign or "
            "unassign"
        )


async def retag(
    session: AsyncSession,
    staff: StaffMember,
    *,
    assign: Mapping[str, Any] | None,
    unassign: Mapping[str, Any] | None,
    ctx: WriteContext,
) -> None:
    """Apply a tag change to a loaded staff member and record its events. Raises TooManyTags."""
    before = dict(staff.tags or {})
    try:
        staff.tags = tags.merge_tags(staff.tags, dict(assign or {}), dict(unassign or {}))
    except ValueError as error:
        raise TooManyTags(str(error)) from None
    staff.revision += 1
    staff.updated_at = ctx.now
    await staff_events.updated(session, staff, ctx, tags_before=before)


async def update_tags(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID],
    assign: Mapping[str, Any] | None,
    unassign: Mapping[str, Any] | None,
    ctx: WriteContext,
) -> list[ItemOutcome]:
    """Retag up to 100 staff members; an unknown id fails its item, never the others."""
    check_tag_lists(assign, unassign)
    found = await repository.get_many_live(session, site_id=site_id, staff_ids=staff_ids)
    outcomes = []
    for index, staff_id in enumerate(staff_ids):
        staff = found.get(staff_id)
        if staff is None:
            missing = StaffMemberNotFound(f"Staff member {staff_id} does not exist")
            outcomes.append(ItemOutcome(staff_id, index, missing))
            continue
        try:
            await retag(session, staff, assign=assign, unassign=unassign, ctx=ctx)
        except TooManyTags as error:
            outcomes.append(ItemOutcome(staff_id, index, error))
            continue
        outcomes.append(ItemOutcome(staff_id, index))
    try:
        await session.flush()
    except StaleDataError:
        raise RevisionMismatch(
            "A staff member was changed by another request during the tag update; retry"
        ) from None
    return outcomes
