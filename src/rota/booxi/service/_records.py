"""A staff member's rows, read as Booxi's staff record and user access."""

from __future__ import annotations

from datetime import datetime

from rota.booxi.mapping import (
    DEFAULT_LANGUAGE,
    AccessRecord,
    PersonnelType,
    Provider,
    StaffRecord,
    StaffStatus,
    TimeSelectionMode,
    UserRole,
    booxi_names,
    invitation_status,
    user_role,
)
from rota.booxi.repository import StaffRow


def access_record(row: StaffRow) -> AccessRecord:
    """What the user access is, wherever it was set up: through Booxi (its row), or through the
    Wix dialect (a connected account or an invitation out)."""
    staff, access, user, member = row.staff, row.access, row.user, row.membership
    signed_in = user is not None and user.can_login and member is not None
    if access is not None:
        provider = Provider(access.provider)
        return AccessRecord(
            staff_number=staff.number,
            exists=True,
            login_email=user.email if user is not None else access.login_email,
            user_role=user_role(member.role) if member else UserRole(access.user_role),
            provider=provider,
            provider_name=(row.merchant.idp_name or "")
            if provider is Provider.SAML and row.merchant
            else "",
            can_login=access.can_login and (user is None or signed_in),
            last_login=user.last_login_at if user is not None else None,
        )
    if user is not None:
        return AccessRecord(
            staff_number=staff.number,
            exists=True,
            login_email=user.email,
            user_role=user_role(member.role) if member else UserRole.STAFF,
            provider=Provider.BOOXI,
            provider_name="",
            can_login=signed_in,
            last_login=user.last_login_at,
        )
    invitation = row.invitation
    return AccessRecord(
        staff_number=staff.number,
        exists=invitation is not None,
        login_email=invitation.email if invitation is not None else "",
        user_role=user_role(invitation.role) if invitation is not None else UserRole.STAFF,
        provider=Provider.BOOXI,
        provider_name="",
        can_login=invitation is not None,
        last_login=None,
    )


def _image(main_media: dict[str, object] | None) -> tuple[str, str] | None:
    image = (main_media or {}).get("image")
    if not isinstance(image, dict) or "id" not in image:
        return None
    return str(image["id"]), str(image.get("filename") or "")


def staff_record(row: StaffRow) -> StaffRecord:
    staff, booxi = row.staff, row.profile
    first, last = booxi_names(
        booxi.first_name if booxi else None, booxi.last_name if booxi else None, staff.name
    )
    access = access_record(row)
    changes: list[datetime] = [staff.updated_at]
    changes += [r.updated_at for r in (booxi, row.access) if r is not None]
    default_type = PersonnelType.STANDARD if staff.service_provider else PersonnelType.USER
    return StaffRecord(
        number=staff.number,
        first_name=first,
        last_name=last,
        position=(booxi.position if booxi else None) or "",
        biography=staff.description or "",
        image=_image(staff.main_media),
        time_selection_mode=TimeSelectionMode(booxi.time_selection_mode)
        if booxi
        else TimeSelectionMode.SERVICE_TIME_SELECTION,
        mobile_phone=staff.phone or "",
        work_phone=(booxi.work_phone if booxi else None) or "",
        communication_email=staff.email or "",
        login_email=access.login_email,
        user_role=access.user_role,
        invitation_status=invitation_status(staff.connection_status),
        language=booxi.language if booxi else DEFAULT_LANGUAGE,
        personnel_type=PersonnelType(booxi.personnel_type) if booxi else default_type,
        status=StaffStatus(booxi.status) if booxi else StaffStatus.ONLINE,
        created_on=staff.created_at,
        modified_on=max(changes),
        is_template=booxi.is_template if booxi else False,
        template_number=row.template_number,
    )
