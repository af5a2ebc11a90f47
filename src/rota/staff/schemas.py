"""Wix wire shapes of the Staff Members API (requests and responses)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from rota.core.clock import utc_now
from rota.core.wire import Int64Input, Int64String, Timestamp, WireModel
from rota.media.urls import image_url
from rota.staff.models import StaffMember

_PHONE = re.compile(r"^\+?[0-9 ().\-/]+$")
_WIX_IMAGE_URI = re.compile(r"^wix:image://v1/([^/#]+)")


class RequestedField(StrEnum):
    RESOURCE_DETAILS = "RESOURCE_DETAILS"
    ASSOCIATED_IDENTITY_STATUS = "ASSOCIATED_IDENTITY_STATUS"
    ASSOCIATED_CONFERENCING_PROVIDERS = "ASSOCIATED_CONFERENCING_PROVIDERS"
    ASSOCIATED_CONFERENCING_ACCOUNTS = "ASSOCIATED_CONFERENCING_ACCOUNTS"


RequestedFields = Annotated[list[RequestedField], Field(default_factory=list, max_length=3)]


def _empty_as_none(value: Any) -> Any:
    # proto3 JSON: an empty string is the unset value.
    return None if value == "" else value


def _check_email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "format", "Must be a valid email address: {reason}", {"reason": str(exc)}
        ) from None
    return value


def _check_phone(value: str) -> str:
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 3:
        raise PydanticCustomError(
            "format", "Must be a phone number: digits, spaces, and + ( ) - . / only"
        )
    return value


def _check_not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError(
            "string_too_short", "Must contain a non-space character", {"min_length": 1}
        )
    return value


Name = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_check_not_blank)]
Email = Annotated[
    Annotated[str, Field(max_length=320), AfterValidator(_check_email)] | None,
    BeforeValidator(_empty_as_none),
]
Phone = Annotated[
    Annotated[str, Field(max_length=20), AfterValidator(_check_phone)] | None,
    BeforeValidator(_empty_as_none),
]
Description = Annotated[
    Annotated[str, Field(max_length=500)] | None, BeforeValidator(_empty_as_none)
]
TagId = Annotated[str, Field(min_length=1, max_length=100)]


class TagList(WireModel):
    tag_ids: list[TagId] = Field(default_factory=list, max_length=100)


class Tags(WireModel):
    private_tags: TagList | None = None
    tags: TagList | None = None


class ImageInput(WireModel):
    id: str | None = Field(default=None, max_length=2048)
    url: str | None = Field(default=None, max_length=2048)
    alt_text: str | None = Field(default=None, max_length=2048)

    @model_validator(mode="after")
    def _id_from_wix_uri(self) -> ImageInput:
        """The SDK may send a `wix:image://v1/<id>/...` URI instead of the id."""
        if not self.id:
            match = _WIX_IMAGE_URI.match(self.url or "")
            if match:
                self.id = match.group(1)
        return self


class MainMediaInput(WireModel):
    image: ImageInput | None = None


class ExtendedFields(WireModel):
    namespaces: dict[str, dict[str, Any]] = Field(default_factory=dict)


class StaffMemberFieldsInput(WireModel):
    """The fields a caller may write; read-only fields in the body are ignored."""

    email: Email = None
    phone: Phone = None
    description: Description = None
    main_media: MainMediaInput | None = None
    tags: Tags | None = None
    extended_fields: ExtendedFields | None = None
    gender: Literal["MALE", "FEMALE", "NON_BINARY"] | None = None

    def changed_values(self, names: set[str]) -> dict[str, Any]:
        """Values of the given attributes in the shape the service stores (wire-cased JSON)."""
        return {
            name: value.model_dump(by_alias=True, exclude_none=True)
            if isinstance(value := getattr(self, name), WireModel)
            else value
            for name in names
        }


class StaffMemberCreate(StaffMemberFieldsInput):
    name: Name


class StaffMemberUpdate(StaffMemberFieldsInput):
    id: str | None = None
    name: Name | None = None
    revision: Int64Input = Field(ge=0)


class CreateStaffMemberRequest(WireModel):
    staff_member: StaffMemberCreate
    fields: RequestedFields
    service_provider: bool | None = None


class UpdateStaffMemberRequest(WireModel):
    staff_member: StaffMemberUpdate
    fields: RequestedFields
    # Wix sends one comma-separated string; arrays and {"paths": [...]} are accepted too.
    field_mask: str | list[str] | dict[str, list[str]] | None = None

    def mask_paths(self) -> list[str] | None:
        mask = self.field_mask
        if mask is None:
            return None
        if isinstance(mask, dict):
            mask = mask.get("paths", [])
        if isinstance(mask, str):
            mask = mask.split(",")
        return [path.strip() for path in mask if path.strip()]


class FieldsRequest(WireModel):
    fields: RequestedFields


class AssignScheduleRequest(WireModel):
    schedule_id: uuid.UUID
    fields: RequestedFields


class SetServiceProviderRequest(WireModel):
    service_provider: bool
    fields: RequestedFields


# ---------------------------------------------------------------- responses


class ImageRead(WireModel):
    id: str
    url: str | None = None
    height: int | None = None
    width: int | None = None
    alt_text: str | None = None
    filename: str | None = None


class MainMediaRead(WireModel):
    image: ImageRead | None = None


class ScheduleRef(WireModel):
    id: uuid.UUID
    shared: bool | None = None


class ResourceRead(WireModel):
    id: uuid.UUID
    working_hours_schedules: list[ScheduleRef]
    events_schedule: ScheduleRef
    uses_default_working_hours: bool
    location_options: dict[str, Any] | None = None
    ranking: int | None = None
    revision: Int64String


class IdentificationData(WireModel):
    wix_user_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    identity_type: str | None = None


class ConnectionRead(WireModel):
    status: str


class AssociatedIdentityRead(WireModel):
    identification_data: IdentificationData | None = None
    connection_status: str | None = None
    connection: ConnectionRead | None = None


class ItemsRead(WireModel):
    items: list[dict[str, Any]] = Field(default_factory=list)


class StaffMemberRead(WireModel):
    id: uuid.UUID
    name: str
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    main_media: MainMediaRead | None = None
    resource_id: uuid.UUID
    resource: ResourceRead | None = None
    associated_wix_identity: AssociatedIdentityRead | None = None
    associated_conferencing_providers: ItemsRead | None = None
    associated_conferencing_accounts: ItemsRead | None = None
    service_provider: bool
    default: bool
    gender: str | None = None
    revision: Int64String
    created_date: Timestamp
    updated_date: Timestamp
    extended_fields: ExtendedFields | None = None
    tags: Tags | None = None

    @classmethod
    def from_row(
        cls,
        staff: StaffMember,
        fields: list[RequestedField],
        *,
        media_base_url: str,
        now: datetime | None = None,
    ) -> StaffMemberRead:
        """The staff member as it reads at ``now`` (default: the present), which decides
        whether a pending invitation has expired."""
        requested = set(fields)
        return cls(
            id=staff.id,
            name=staff.name,
            email=staff.email,
            phone=staff.phone,
            description=staff.description,
            main_media=_main_media(staff.main_media, media_base_url),
            resource_id=staff.resource_id,
            resource=_resource(staff) if RequestedField.RESOURCE_DETAILS in requested else None,
            associated_wix_identity=_identity(
                staff, RequestedField.ASSOCIATED_IDENTITY_STATUS in requested, now
            ),
            associated_conferencing_providers=ItemsRead()
            if RequestedField.ASSOCIATED_CONFERENCING_PROVIDERS in requested
            else None,
            associated_conferencing_accounts=ItemsRead()
            if RequestedField.ASSOCIATED_CONFERENCING_ACCOUNTS in requested
            else None,
            service_provider=staff.service_provider,
            default=staff.is_default,
            gender=staff.gender,
            revision=staff.revision,
            created_date=staff.created_at,
            updated_date=staff.updated_at,
            extended_fields=ExtendedFields.model_validate(staff.extended_fields)
            if staff.extended_fields
            else None,
            tags=Tags.model_validate(staff.tags) if staff.tags else None,
        )


def _main_media(stored: dict[str, Any] | None, media_base_url: str) -> MainMediaRead | None:
    image = (stored or {}).get("image")
    if not image:
        return None
    return MainMediaRead(
        image=ImageRead(
            id=image["id"],
            url=image_url(media_base_url, image["id"], image["filename"]),
            width=image.get("width"),
            height=image.get("height"),
            alt_text=image.get("altText"),
            filename=image.get("filename"),
        )
    )


def _resource(staff: StaffMember) -> ResourceRead:
    # Any working-hours schedule other than the staff member's own is a shared business one.
    shared = staff.working_hours_schedule_id != staff.events_schedule_id
    return ResourceRead(
        id=staff.resource_id,
        working_hours_schedules=[ScheduleRef(id=staff.working_hours_schedule_id, shared=shared)],
        events_schedule=ScheduleRef(id=staff.events_schedule_id),
        uses_default_working_hours=staff.uses_default_working_hours,
        location_options=staff.location_options,
        ranking=staff.ranking,
        revision=staff.resource_revision,
    )


def connection_status(staff: StaffMember, now: datetime | None = None) -> str:
    """The stored status, except that a pending invitation past its lifetime reads EXPIRED."""
    expires = staff.invitation_expires_at
    if (
        staff.connection_status == "PENDING"
        and expires is not None
        and expires <= (now or utc_now())
    ):
        return "EXPIRED"
    return staff.connection_status


def _identity(
    staff: StaffMember, with_status: bool, now: datetime | None
) -> AssociatedIdentityRead | None:
    connected = staff.wix_user_id is not None
    if not connected and not with_status:
        return None
    status = connection_status(staff, now)
    return AssociatedIdentityRead(
        identification_data=IdentificationData(
            wix_user_id=staff.wix_user_id,
            contact_id=staff.contact_id,
            identity_type=staff.identity_type,
        )
        if connected
        else None,
        connection_status=status if with_status else None,
        connection=ConnectionRead(status=status) if with_status else None,
    )


class StaffMemberResponse(WireModel):
    staff_member: StaffMemberRead


class CursorsRead(WireModel):
    next: str | None = None
    prev: str | None = None


class PagingMetadataRead(WireModel):
    count: int
    cursors: CursorsRead
    has_next: bool


class StaffMemberListResponse(WireModel):
    staff_members: list[StaffMemberRead]
    paging_metadata: PagingMetadataRead


class EmptyResponse(WireModel):
    pass
