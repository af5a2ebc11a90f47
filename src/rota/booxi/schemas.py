"""Booxi wire shapes: request bodies and responses, lowerCamelCase, timestamps as
``2020-06-15T15:36:20Z``. Enums are read in any case and written in Booxi's spelling; e-mail and
phone fields follow the Wix dialect's rules, since both dialects write the same fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from rota.booxi.mapping import (
    AccessRecord,
    CodeState,
    InvitationStatus,
    PersonnelType,
    Provider,
    RecoveryRecord,
    ScheduleRecord,
    StaffRecord,
    StaffStatus,
    TimeSelectionMode,
    UserRole,
    choices,
    parse_choice,
    timestamp,
)
from rota.booxi.models import ModuleLink
from rota.core.wire import WireModel
from rota.media.urls import image_url
from rota.staff.schemas import Email, Phone

BooxiTime = Annotated[datetime, PlainSerializer(timestamp, return_type=str)]


def _choice(kind: type[StrEnum]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        found = parse_choice(kind, value)
        if found is None:
            raise PydanticCustomError(
                "enum", "Must be one of: {choices}", {"choices": choices(kind)}
            )
        return found

    return parse


PersonnelTypeInput = Annotated[PersonnelType | None, BeforeValidator(_choice(PersonnelType))]
StatusInput = Annotated[StaffStatus | None, BeforeValidator(_choice(StaffStatus))]
TimeSelectionInput = Annotated[
    TimeSelectionMode | None, BeforeValidator(_choice(TimeSelectionMode))
]
UserRoleInput = Annotated[UserRole | None, BeforeValidator(_choice(UserRole))]
ProviderInput = Annotated[Provider | None, BeforeValidator(_choice(Provider))]


class BooxiStaffWrite(WireModel):
    """The writable staff fields; read-only ones sent back (id, name, dates, ...) are ignored,
    ``loginEmail`` and ``userRole`` only if unchanged."""

    first_name: str | None = Field(default=None, max_length=40)
    last_name: str | None = Field(default=None, max_length=40)
    position: str | None = Field(default=None, max_length=100)
    biography: str | None = Field(default=None, max_length=500)
    work_phone: Phone = None
    mobile_phone: Phone = None
    # Booxi's own field table spells it "communciationEmail" once; both are read.
    communication_email: Email = Field(
        default=None,
        validation_alias=AliasChoices(
            "communicationEmail", "communciationEmail", "communication_email"
        ),
    )
    personnel_type: PersonnelTypeInput = None
    language: str | None = Field(default=None, max_length=10)
    status: StatusInput = None
    time_selection_mode: TimeSelectionInput = None
    is_template: bool | None = None
    login_email: str | None = Field(default=None, max_length=320)
    user_role: UserRoleInput = None


class BooxiStaff(WireModel):
    id: int
    name: str
    first_name: str
    last_name: str
    position: str
    biography: str
    profile_image_url: str
    time_selection_mode: TimeSelectionMode
    mobile_phone: str
    work_phone: str
    communication_email: str
    login_email: str
    user_role: UserRole
    invitation_status: InvitationStatus
    language: str
    personnel_type: PersonnelType
    status: StaffStatus
    created_on: BooxiTime
    modified_on: BooxiTime
    is_template: bool
    staff_template_id: int | None = None

    @classmethod
    def of(cls, record: StaffRecord, *, media_base_url: str) -> BooxiStaff:
        image = record.image
        return cls(
            id=record.number,
            name=record.name,
            first_name=record.first_name,
            last_name=record.last_name,
            position=record.position,
            biography=record.biography,
            profile_image_url=image_url(media_base_url, *image) if image else "",
            time_selection_mode=record.time_selection_mode,
            mobile_phone=record.mobile_phone,
            work_phone=record.work_phone,
            communication_email=record.communication_email,
            login_email=record.login_email,
            user_role=record.user_role,
            invitation_status=record.invitation_status,
            language=record.language,
            personnel_type=record.personnel_type,
            status=record.status,
            created_on=record.created_on,
            modified_on=record.modified_on,
            is_template=record.is_template,
            staff_template_id=record.template_number,
        )


class BooxiBookNowStaff(WireModel):
    """The public projection Booxi embeds in module-link answers."""

    id: int
    name: str
    first_name: str
    last_name: str
    position: str
    biography: str
    profile_image_url: str
    time_selection_mode: TimeSelectionMode

    @classmethod
    def of(cls, record: StaffRecord, *, media_base_url: str) -> BooxiBookNowStaff:
        full = BooxiStaff.of(record, media_base_url=media_base_url)
        return cls.model_validate(full.model_dump(include=set(cls.model_fields)))


class BooxiStaffList(WireModel):
    staffs: list[BooxiStaff]
    # Absent on the last page.
    cursor: str | None = None


# ------------------------------------------------------------------ user access


class BooxiUserAccessWrite(WireModel):
    staff_id: int | None = None
    login_email: str = Field(max_length=320)
    user_role: UserRoleInput = None
    can_login: bool | None = None
    provider: ProviderInput = None


class BooxiUserAccess(WireModel):
    staff_id: int
    login_email: str
    user_role: UserRole
    # Shown only when a user access exists.
    provider: Provider | None = None
    provider_name: str
    can_login: bool | None = None
    last_login: BooxiTime | None = None

    @classmethod
    def of(cls, record: AccessRecord) -> BooxiUserAccess:
        return cls(
            staff_id=record.staff_number,
            login_email=record.login_email,
            user_role=record.user_role,
            provider=record.provider if record.exists else None,
            provider_name=record.provider_name,
            can_login=record.can_login if record.exists else None,
            last_login=record.last_login,
        )


class BooxiUserAccessResponse(WireModel):
    user_access: BooxiUserAccess
    staff: BooxiStaff


# ------------------------------------------------------------------ password recovery


class BooxiPasswordRecovery(WireModel):
    request_id: int
    staff_id: int
    login_email: str
    code: int
    staff_first_name: str
    staff_last_name: str
    request_date: BooxiTime
    code_state: CodeState

    @classmethod
    def of(cls, record: RecoveryRecord) -> BooxiPasswordRecovery:
        return cls(
            request_id=record.request_id,
            staff_id=record.staff_number,
            login_email=record.login_email,
            code=record.code,
            staff_first_name=record.first_name,
            staff_last_name=record.last_name,
            request_date=record.requested_at,
            code_state=record.state,
        )


class BooxiPasswordReset(WireModel):
    """A Rota addition: use a recovery code to set a new password."""

    login_email: str = Field(max_length=320)
    code: int
    password: str = Field(min_length=1, max_length=200)


class BooxiPasswordResetDone(WireModel):
    code_state: CodeState = CodeState.USED


# ------------------------------------------------------------------ module links


MetadataKey = Annotated[str, Field(min_length=1, max_length=100)]
MetadataValue = Annotated[str, Field(max_length=1000)]


class BooxiModuleLinkWrite(WireModel):
    staff_id: int | None = None
    module_id: str | None = None
    external_id: str = Field(min_length=1, max_length=200)
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=50)


class BooxiModuleLink(WireModel):
    staff_id: int
    module_id: str
    external_id: str
    metadata: dict[str, str]
    created_on: BooxiTime
    modified_on: BooxiTime

    @classmethod
    def of(cls, link: ModuleLink, staff_number: int) -> BooxiModuleLink:
        return cls(
            staff_id=staff_number,
            module_id=link.module_id,
            external_id=link.external_id,
            metadata=dict(link.link_metadata),
            created_on=link.created_at,
            modified_on=link.updated_at,
        )


class BooxiModuleLinkResponse(WireModel):
    link: BooxiModuleLink
    staff: BooxiBookNowStaff


# ------------------------------------------------------------------ schedules


class BooxiOpenHour(WireModel):
    dow: int
    start: str = Field(max_length=8)
    end: str = Field(max_length=8)


class BooxiScheduleWrite(WireModel):
    id: int | None = None
    name: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    start: str | None = Field(default=None, max_length=40)
    end: str | None = Field(default=None, max_length=40)
    weekly_hours: list[BooxiOpenHour] | None = Field(default=None, max_length=70)


class BooxiSchedule(WireModel):
    id: int
    staff_id: int
    name: str
    description: str
    # Store-local calendar dates, both inclusive; no end = open-ended.
    start: date
    end: date | None = None
    weekly_hours: list[BooxiOpenHour]

    @classmethod
    def of(cls, record: ScheduleRecord) -> BooxiSchedule:
        return cls(
            id=record.id,
            staff_id=record.staff_number,
            name=record.name,
            description=record.description,
            start=record.start,
            end=record.end,
            weekly_hours=[BooxiOpenHour.model_validate(h) for h in record.weekly_hours],
        )


class BooxiScheduleList(WireModel):
    schedules: list[BooxiSchedule]
    cursor: str | None = None
