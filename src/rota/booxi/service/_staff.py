"""Booxi staff records over the shared staff members: read, search, create (new, duplicate, from
a head-office template), update, delete and the profile picture.

The shared fields (name, e-mail, mobile phone, biography, picture) are written through the staff
service, so the Wix dialect sees them at once, with a new revision and its domain events; the
Booxi-only fields live in ``booxi_staff``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import (
    ModuleNotFound,
    NotAHeadOffice,
    StaffNotFound,
    StaffTemplateNotFound,
    at,
    invalid,
    missing,
    read_only,
)
from rota.booxi.mapping import (
    DEFAULT_LANGUAGE,
    PersonnelType,
    StaffRecord,
    StaffStatus,
    TimeSelectionMode,
    choices,
    join_name,
    normalize_language,
    parse_choice,
)
from rota.booxi.models import Merchant, StaffProfile
from rota.booxi.repository import StaffRow, StaffSearch
from rota.booxi.service._merchants import (
    Partnership,
    head_office_site,
    is_head_office,
    resolve_merchant,
    sites_with_module,
)
from rota.booxi.service._records import staff_record
from rota.core.context import WriteContext
from rota.core.errors import CursorRejected, FieldViolation
from rota.media import service as media_service
from rota.staff import service as staff_service
from rota.staff.service import StaffMemberChanges
from rota.wixquery import CursorCodec, CursorState, InvalidCursor

# Wix keeps the whole name in 40 characters, so first and last name share them.
MAX_NAME_LENGTH = 40


async def staff_row(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    parameter: str = "staffId",
) -> StaffRow:
    """A live staff member of the partnership by its Booxi id."""
    row = await repository.staff_by_number(session, site_ids=partnership, number=number)
    if row is None:
        raise StaffNotFound(
            f"Staff {number} does not exist, was deleted, or belongs to a merchant outside this "
            "partnership",
            details=at(parameter),
        )
    return row


async def record_of(session: AsyncSession, staff_id: uuid.UUID) -> StaffRecord:
    row = await repository.staff_by_id(session, staff_id)
    if row is None:  # pragma: no cover - the caller just wrote or read it
        raise StaffNotFound(f"Staff member {staff_id} vanished")
    return staff_record(row)


async def get_staff(session: AsyncSession, *, partnership: Partnership, number: int) -> StaffRecord:
    return staff_record(await staff_row(session, partnership=partnership, number=number))


# ------------------------------------------------------------------ search


@dataclass(frozen=True)
class StaffQuery:
    """The ``GET /staff/list`` parameters as sent (blank ones left out)."""

    external_id: str | None = None
    module_id: str | None = None
    merchant_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    communication_email: str | None = None
    login_email: str | None = None
    status: str | None = None
    personnel_type: str | None = None

    def sent(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class StaffPage:
    records: list[StaffRecord]
    cursor: str | None


def _parsed_choice(kind: type[Any], value: str | None, parameter: str) -> Any:
    if value is None:
        return None
    found = parse_choice(kind, value)
    if found is None:
        raise invalid(parameter, f"{parameter} must be one of: {choices(kind)}")
    return found


async def _search(
    session: AsyncSession, partnership: Partnership, query: StaffQuery
) -> StaffSearch:
    """The checked criteria: Booxi's mandatory combinations, enums and merchant scope."""
    if (query.external_id is None) != (query.module_id is None):
        absent, other = (
            ("moduleId", "an externalId")
            if query.module_id is None
            else ("externalId", "a moduleId")
        )
        raise missing(absent, f"{absent} is mandatory when searching with {other}")
    if (query.first_name is None) != (query.last_name is None):
        absent = "lastName" if query.last_name is None else "firstName"
        raise missing(absent, "firstName and lastName must be provided together")
    status = _parsed_choice(StaffStatus, query.status, "status")
    personnel_type = _parsed_choice(PersonnelType, query.personnel_type, "personnelType")
    if query.merchant_id is not None:
        merchant = await resolve_merchant(
            session, partnership=partnership, merchant_id=query.merchant_id
        )
        site_ids = [merchant.site_id]
    elif query.module_id is None:
        raise missing(
            "merchantId", "merchantId is mandatory unless you search by externalId and moduleId"
        )
    else:
        site_ids = list(partnership)
    if query.module_id is not None:
        site_ids = await sites_with_module(session, site_ids=site_ids, module_id=query.module_id)
        if not site_ids:
            raise ModuleNotFound(
                f"Module {query.module_id!r} is not enabled for "
                + ("that merchant" if query.merchant_id is not None else "this key's merchants"),
                details=at("moduleId"),
            )
    first, last = query.first_name, query.last_name
    return StaffSearch(
        site_ids=tuple(site_ids),
        module_id=query.module_id,
        external_id=query.external_id,
        full_name=join_name(first, last) if first is not None and last is not None else None,
        communication_email=(query.communication_email or "").strip().lower() or None,
        login_email=(query.login_email or "").strip().lower() or None,
        status=status,
        personnel_type=personnel_type,
    )


def _open(codec: CursorCodec, cursor: str, scope: str, query: StaffQuery) -> tuple[StaffQuery, int]:
    """The search a cursor continues. Parameters may be left out next to it; any that are sent
    must be the ones the cursor was issued for."""
    rejected = CursorRejected(
        "cursor is not one this endpoint issued to this partner key: send back the cursor of "
        "the previous response unchanged",
        violations=[FieldViolation("cursor", "not issued here", "INVALID_VALUE")],
    )
    try:
        state = codec.decode(cursor, scope=scope)
        stored = StaffQuery(**state.filter)
        after = int((state.after or [])[0])
    except (InvalidCursor, TypeError, ValueError, IndexError):
        raise rejected from None
    if any(stored.sent().get(name) != value for name, value in query.sent().items()):
        raise invalid(
            "cursor",
            "The cursor belongs to another search: send it alone or with the same "
            "parameters as the search it came from",
        )
    return stored, after


async def list_staff(
    session: AsyncSession,
    *,
    partnership: Partnership,
    query: StaffQuery,
    cursor: str | None,
    limit: int,
    codec: CursorCodec,
    scope: str,
) -> StaffPage:
    """One page of the partnership's live staff matching ``query``, by staff id; ``scope``
    binds the next-page cursor to the caller."""
    after = None
    if cursor is not None:
        query, after = _open(codec, cursor, scope, query)
    search = await _search(session, partnership, query)
    rows = await repository.search_staff(session, search, after=after, limit=limit + 1)
    page = rows[:limit]
    records = [staff_record(row) for row in page]
    if query.first_name is not None:
        # The database matched "First Last"; Booxi wants the exact pair.
        records = [
            r
            for r in records
            if (r.first_name, r.last_name)
            == (query.first_name.strip(), (query.last_name or "").strip())
        ]
    token = None
    if len(rows) > limit:
        state = CursorState(
            scope=scope, filter=query.sent(), sort=[], after=[page[-1].staff.number]
        )
        token = codec.encode(state)
    return StaffPage(records=records, cursor=token)


# ------------------------------------------------------------------ writes


@dataclass(frozen=True)
class Profile:
    """Everything a Booxi staff record lets a caller write, in stored form (None = empty)."""

    first_name: str = ""
    last_name: str = ""
    position: str | None = None
    biography: str | None = None
    work_phone: str | None = None
    communication_email: str | None = None
    mobile_phone: str | None = None
    personnel_type: PersonnelType = PersonnelType.STANDARD
    language: str = DEFAULT_LANGUAGE
    status: StaffStatus = StaffStatus.ONLINE
    time_selection_mode: TimeSelectionMode = TimeSelectionMode.SERVICE_TIME_SELECTION
    is_template: bool = False

    @classmethod
    def of(cls, record: StaffRecord) -> Profile:
        return cls(
            first_name=record.first_name,
            last_name=record.last_name,
            position=record.position or None,
            biography=record.biography or None,
            work_phone=record.work_phone or None,
            communication_email=record.communication_email or None,
            mobile_phone=record.mobile_phone or None,
            personnel_type=record.personnel_type,
            language=record.language,
            status=record.status,
            time_selection_mode=record.time_selection_mode,
            is_template=record.is_template,
        )

    def wix_values(self) -> dict[str, Any]:
        return {
            "name": join_name(self.first_name, self.last_name),
            "email": self.communication_email,
            "phone": self.mobile_phone,
            "description": self.biography,
        }


_PROFILE_FIELDS = frozenset(Profile.__dataclass_fields__)
# Sent back by clients that PUT a whole record; accepted when unchanged.
_ECHOED_FIELDS = frozenset({"login_email", "user_role"})


@dataclass(frozen=True)
class StaffDraft:
    """The fields a request sent, already type-checked; text is stripped, "" means empty."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.values) - _PROFILE_FIELDS - _ECHOED_FIELDS
        if unknown:
            raise ValueError(f"Not Booxi staff fields: {sorted(unknown)}")

    def applied_to(self, profile: Profile) -> Profile:
        changes: dict[str, Any] = {}
        for name in _PROFILE_FIELDS & set(self.values):
            value = self.values[name]
            if type(value) is str:  # text, not one of the (str) enums
                value = value.strip() or None
            changes[name] = value
        if "language" in changes:
            language = normalize_language(changes["language"] or "")
            if language is None:
                raise invalid(
                    "language", "language must be a 3-letter code Booxi supports, e.g. eng"
                )
            changes["language"] = language
        for name in ("first_name", "last_name"):
            if name in changes:
                changes[name] = changes[name] or ""
        for name in ("personnel_type", "status", "time_selection_mode", "is_template"):
            if name in changes and changes[name] is None:
                del changes[name]
        return replace(profile, **changes)


async def _check_profile(
    session: AsyncSession, profile: Profile, merchant: Merchant | None
) -> None:
    if not profile.first_name:
        raise missing("firstName", "firstName is required")
    if len(join_name(profile.first_name, profile.last_name)) > MAX_NAME_LENGTH:
        raise invalid(
            "lastName",
            f"firstName and lastName together take at most {MAX_NAME_LENGTH - 1} characters "
            "(the shared staff name holds both)",
            limit=MAX_NAME_LENGTH,
        )
    if profile.is_template:
        if profile.personnel_type is not PersonnelType.STANDARD:
            raise invalid("personnelType", "Templates are for personnel with a calendar (Standard)")
        if merchant is not None and not await is_head_office(session, merchant.site_id):
            raise NotAHeadOffice(
                f"Merchant {merchant.id} is not a head office; templates live in a head office",
                details=at("isTemplate"),
            )


async def _save_booxi_fields(
    session: AsyncSession,
    *,
    stored: StaffProfile | None,
    staff_id: uuid.UUID,
    profile: Profile,
    template_id: uuid.UUID | None,
    ctx: WriteContext,
) -> None:
    values = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "position": profile.position,
        "work_phone": profile.work_phone,
        "language": profile.language,
        "personnel_type": profile.personnel_type.value,
        "status": profile.status.value,
        "time_selection_mode": profile.time_selection_mode.value,
        "is_template": profile.is_template,
    }
    if stored is None:
        row = StaffProfile(
            staff_member_id=staff_id, template_id=template_id, updated_at=ctx.now, **values
        )
        await repository.add(session, row)
        return
    if any(getattr(stored, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(stored, name, value)
        stored.updated_at = ctx.now


async def _copied_extras(
    origin: StaffRow, *, site_id: uuid.UUID, session: AsyncSession, ctx: WriteContext
) -> dict[str, Any]:
    """The shared fields a copy takes besides the profile: picture, tags, gender. A picture
    from another site (a head-office template) is copied into the new staff member's site."""
    staff = origin.staff
    extras: dict[str, Any] = {"tags": staff.tags, "gender": staff.gender}
    image = (staff.main_media or {}).get("image")
    if image:
        image_id = image["id"]
        if staff.site_id != site_id:
            source = await media_service.get_image_file(session, image_id=uuid.UUID(image_id))
            copy = await media_service.store_image(
                session,
                site_id=site_id,
                data=source.data,
                filename=source.filename,
                max_bytes=len(source.data),
                now=ctx.now,
            )
            image_id = str(copy.id)
        extras["main_media"] = {"image": {**image, "id": image_id}}
    return extras


async def _template(session: AsyncSession, merchant: Merchant, number: int) -> StaffRow:
    head_office = await head_office_site(session, merchant)
    row = (
        await repository.staff_by_number(session, site_ids=[head_office], number=number)
        if head_office is not None
        else None
    )
    if row is None or row.profile is None or not row.profile.is_template:
        raise StaffTemplateNotFound(
            f"Staff template {number} does not exist in the head office of merchant "
            f"{merchant.id}" + ("" if head_office else " (the merchant belongs to no head office)"),
            details=at("fromStaffTemplateId"),
        )
    return row


async def create_staff(
    session: AsyncSession,
    *,
    partnership: Partnership,
    merchant_id: int,
    draft: StaffDraft,
    from_staff: int | None,
    from_template: int | None,
    ctx: WriteContext,
) -> StaffRecord:
    """A new staff member: blank, a duplicate of a staff member of the same merchant (all its
    personnel details, picture, tags), or from a template of the merchant's head office (the
    same, but never the template's names). The request's fields win over copied ones; user
    access, module links and work schedules are never copied."""
    if from_staff is not None and from_template is not None:
        raise invalid(
            "fromStaffTemplateId", "Send either fromStaffId or fromStaffTemplateId, not both"
        )
    merchant = await resolve_merchant(session, partnership=partnership, merchant_id=merchant_id)
    profile, extras, template_id = Profile(), {}, None
    if from_staff is not None:
        origin = await staff_row(
            session, partnership=[merchant.site_id], number=from_staff, parameter="fromStaffId"
        )
        profile = Profile.of(staff_record(origin))
        extras = await _copied_extras(origin, site_id=merchant.site_id, session=session, ctx=ctx)
    elif from_template is not None:
        origin = await _template(session, merchant, from_template)
        profile = replace(
            Profile.of(staff_record(origin)), first_name="", last_name="", is_template=False
        )
        extras = await _copied_extras(origin, site_id=merchant.site_id, session=session, ctx=ctx)
        template_id = origin.staff.id
    profile = draft.applied_to(profile)
    await _check_profile(session, profile, merchant)
    staff = await staff_service.create_staff_member(
        session,
        site_id=merchant.site_id,
        changes=StaffMemberChanges({**profile.wix_values(), **extras}),
        # Templates and users without a calendar are not bookable.
        service_provider=profile.personnel_type is PersonnelType.STANDARD
        and not profile.is_template,
        ctx=ctx,
    )
    await _save_booxi_fields(
        session, stored=None, staff_id=staff.id, profile=profile, template_id=template_id, ctx=ctx
    )
    return await record_of(session, staff.id)


def _check_unchanged(record: StaffRecord, draft: StaffDraft) -> None:
    """Fields that cannot change through ``PUT /staff/{staffId}`` may be sent back unchanged."""
    values = draft.values
    if values.get("personnel_type") not in (None, record.personnel_type):
        raise read_only(
            "personnelType",
            "personnelType cannot change after creation: delete the staff and create it again",
        )
    if values.get("is_template") not in (None, record.is_template):
        raise read_only("isTemplate", "isTemplate cannot change after creation")
    login_email = values.get("login_email")
    for wire, sent, current in (
        ("loginEmail", login_email and login_email.strip().lower(), record.login_email.lower()),
        ("userRole", values.get("user_role"), record.user_role),
    ):
        if sent is not None and sent != current:
            raise read_only(
                wire,
                f"{wire} belongs to the user access: change it with "
                "PUT /staff/{staffId}/userAccess",
                "read-only here",
            )


async def update_staff(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    draft: StaffDraft,
    ctx: WriteContext,
) -> StaffRecord:
    """Change the fields sent (absent ones stay; null or "" empties a text field)."""
    row = await staff_row(session, partnership=partnership, number=number)
    record = staff_record(row)
    _check_unchanged(record, draft)
    profile = draft.applied_to(Profile.of(record))
    await _check_profile(session, profile, None)
    staff = row.staff
    changed = {k: v for k, v in profile.wix_values().items() if getattr(staff, k) != v}
    if changed:
        await staff_service.update_staff_member(
            session,
            site_id=staff.site_id,
            staff_id=staff.id,
            revision=staff.revision,
            changes=StaffMemberChanges(changed),
            ctx=ctx,
        )
    await _save_booxi_fields(
        session, stored=row.profile, staff_id=staff.id, profile=profile, template_id=None, ctx=ctx
    )
    return await record_of(session, staff.id)


async def delete_staff(
    session: AsyncSession, *, partnership: Partnership, number: int, ctx: WriteContext
) -> StaffRecord:
    """Move the staff member to the trash bin (restorable through the Wix dialect); answers the
    record as it was."""
    row = await staff_row(session, partnership=partnership, number=number)
    record = staff_record(row)
    await staff_service.delete_staff_member(
        session, site_id=row.staff.site_id, staff_id=row.staff.id, ctx=ctx
    )
    return record


async def set_profile_image(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    data: bytes,
    filename: str | None,
    max_bytes: int,
    ctx: WriteContext,
) -> StaffRecord:
    """Booxi's ``PUT /staff/{staffId}/image``: the picture becomes the staff member's main
    media in both dialects."""
    row = await staff_row(session, partnership=partnership, number=number)
    staff = row.staff
    image = await media_service.store_image(
        session,
        site_id=staff.site_id,
        data=data,
        filename=filename,
        max_bytes=max_bytes,
        now=ctx.now,
    )
    await staff_service.update_staff_member(
        session,
        site_id=staff.site_id,
        staff_id=staff.id,
        revision=staff.revision,
        changes=StaffMemberChanges({"main_media": {"image": {"id": str(image.id)}}}),
        ctx=ctx,
    )
    return await record_of(session, staff.id)
