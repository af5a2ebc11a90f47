"""Pure: Booxi's values and Rota's, both ways. No I/O.

Names. A staff member has one Rota (Wix) ``name``; Booxi has a first and a last name. Booxi keeps
both in its own row and writes ``name = "First Last"`` (the last name left out when empty). When
the Wix dialect renames the staff member, the stored pair no longer joins to the name, and the
name wins: it is split on its last space (``"Mary Ann Lee"`` -> ``"Mary Ann"``, ``"Lee"``; a name
without a space is all first name). So each dialect always reads what the other last wrote.

Enums are matched case-insensitively on input (Booxi's own examples send ``"standard"`` and read
back ``"Standard"``) and written in Booxi's spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from rota.identity.roles import Role


class PersonnelType(StrEnum):
    """``Standard``: personnel with a calendar (bookable); ``User``: a user without one."""

    STANDARD = "Standard"
    USER = "User"


class StaffStatus(StrEnum):
    ONLINE = "Online"
    OFFLINE = "Offline"


class TimeSelectionMode(StrEnum):
    SERVICE_TIME_SELECTION = "ServiceTimeSelection"
    CLIENT_TIMES = "ClientTimes"


class UserRole(StrEnum):
    ADMIN = "Admin"
    SUPERVISOR = "Supervisor"
    MANAGER = "Manager"
    STAFF = "Staff"
    RESTRICTED_STAFF = "RestrictedStaff"


class InvitationStatus(StrEnum):
    TO_INVITE = "ToInvite"
    INVITED = "Invited"
    ACCEPTED = "Accepted"


class Provider(StrEnum):
    BOOXI = "booxi"
    SAML = "saml"


class CodeState(StrEnum):
    VALID = "Valid"
    USED = "Used"
    EXPIRED = "Expired"


E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str) -> E | None:
    """The member of ``kind`` spelled ``value`` in any case, or None."""
    folded = value.strip().casefold()
    return next((member for member in kind if member.value.casefold() == folded), None)


def choices(kind: type[StrEnum]) -> str:
    return ", ".join(member.value for member in kind)


_ROLES = {
    UserRole.ADMIN: Role.ADMIN,
    UserRole.SUPERVISOR: Role.SUPERVISOR,
    UserRole.MANAGER: Role.MANAGER,
    UserRole.STAFF: Role.STAFF,
    UserRole.RESTRICTED_STAFF: Role.RESTRICTED_STAFF,
}
_USER_ROLES = {role: user_role for user_role, role in _ROLES.items()}


def site_role(user_role: UserRole) -> Role:
    return _ROLES[user_role]


def user_role(role: str) -> UserRole:
    """Booxi's name for a stored site role; an unknown one reads as the least-privileged."""
    try:
        return _USER_ROLES[Role(role)]
    except ValueError:
        return UserRole.RESTRICTED_STAFF


_INVITATION_STATUS = {
    "DISCONNECTED": InvitationStatus.TO_INVITE,
    "PENDING": InvitationStatus.INVITED,
    "CONNECTED": InvitationStatus.ACCEPTED,
}


def invitation_status(connection_status: str) -> InvitationStatus:
    """The staff member's Wix connection status in Booxi's words: not connected yet is
    ``ToInvite``, an invitation out (even a lapsed one, which Booxi resends) is ``Invited``."""
    return _INVITATION_STATUS.get(connection_status, InvitationStatus.TO_INVITE)


def join_name(first: str, last: str) -> str:
    return f"{first.strip()} {last.strip()}".strip()


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().rpartition(" ")
    return (first.strip(), last) if first else (last, "")


def booxi_names(first: str | None, last: str | None, name: str) -> tuple[str, str]:
    """The first and last name Booxi shows: the stored pair while it still joins to ``name``,
    else ``name`` split on its last space (a rename through the Wix dialect)."""
    if first is not None and join_name(first, last or "") == name:
        return first, last or ""
    return split_name(name)


# The languages Booxi supports (its 3-letter codes) and the other ISO 639 spellings accepted.
LANGUAGES = frozenset((
    "eng", "fre", "spa", "por", "nld", "deu", "ita", "ron", "pol", "yue",
    "jpn", "ell", "dan", "swe", "bul", "rus", "kor", "ces", "tur", "tha",
))  # fmt: skip
_LANGUAGE_ALIASES = {
    "en": "eng", "fr": "fre", "fra": "fre", "es": "spa", "pt": "por", "nl": "nld",
    "dut": "nld", "de": "deu", "ger": "deu", "it": "ita", "ro": "ron", "rum": "ron",
    "pl": "pol", "ja": "jpn", "el": "ell", "gre": "ell", "da": "dan", "sv": "swe",
    "bg": "bul", "ru": "rus", "ko": "kor", "cs": "ces", "cze": "ces", "tr": "tur", "th": "tha",
}  # fmt: skip
DEFAULT_LANGUAGE = "eng"


def normalize_language(value: str) -> str | None:
    """Booxi's 3-letter code for an ISO 639-1/2/3 code it supports, or None."""
    code = value.strip().lower()
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if code in LANGUAGES else None


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def domain_allowed(email: str, domains: list[str]) -> bool:
    """Whether an address belongs to one of an identity provider's domains (or a subdomain)."""
    domain = email_domain(email)
    return any(domain == d or domain.endswith("." + d) for d in (d.lower() for d in domains))


def timestamp(value: datetime) -> str:
    """Booxi's form: UTC, whole seconds, ``Z`` (``2020-06-15T15:36:20Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class StaffRecord:
    """A staff member as the Booxi dialect shows it, every value already in Booxi's terms."""

    number: int
    first_name: str
    last_name: str
    position: str
    biography: str
    # (image id, file name) of the profile picture, if any.
    image: tuple[str, str] | None
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
    created_on: datetime
    modified_on: datetime
    is_template: bool
    template_number: int | None

    @property
    def name(self) -> str:
        return join_name(self.first_name, self.last_name)


@dataclass(frozen=True)
class AccessRecord:
    """A staff member's user access; ``exists`` is False when none was ever set up."""

    staff_number: int
    exists: bool
    login_email: str
    user_role: UserRole
    provider: Provider
    provider_name: str
    can_login: bool
    last_login: datetime | None


@dataclass(frozen=True)
class RecoveryRecord:
    request_id: int
    staff_number: int
    login_email: str
    code: int
    first_name: str
    last_name: str
    requested_at: datetime
    state: CodeState


@dataclass(frozen=True)
class ScheduleRecord:
    id: int
    staff_number: int
    name: str
    description: str
    start: date
    end: date | None
    # [{"dow": 1, "start": "09:00", "end": "17:00"}, ...]
    weekly_hours: list[dict[str, Any]]
