"""The Booxi dialect's use cases: merchants and groups, staff records, user access, password
recovery, module links and work schedules.

Every function works inside the caller's transaction and never commits. Functions that act for
a partner key take its ``partnership`` (its site ids): anything outside it is not found.
"""

from rota.booxi.service._access import (
    AccessChange,
    SavedAccess,
    get_user_access,
    save_user_access,
)
from rota.booxi.service._links import get_module_link, save_module_link
from rota.booxi.service._merchants import (
    Partnership,
    SiteDescription,
    add_site_to_group,
    create_group,
    describe_site,
    enable_module,
    list_groups,
    merchant_of_site,
    set_identity_provider,
)
from rota.booxi.service._recovery import (
    get_password_recovery,
    request_password_recovery,
    reset_password,
)
from rota.booxi.service._schedules import (
    HoursInput,
    ScheduleDraft,
    SchedulePage,
    create_schedule,
    delete_schedule,
    get_schedule,
    list_schedules,
    update_schedule,
)
from rota.booxi.service._staff import (
    StaffDraft,
    StaffPage,
    StaffQuery,
    create_staff,
    delete_staff,
    get_staff,
    list_staff,
    set_profile_image,
    update_staff,
)

__all__ = [
    "AccessChange",
    "HoursInput",
    "Partnership",
    "SavedAccess",
    "ScheduleDraft",
    "SchedulePage",
    "SiteDescription",
    "StaffDraft",
    "StaffPage",
    "StaffQuery",
    "add_site_to_group",
    "create_group",
    "create_schedule",
    "create_staff",
    "delete_schedule",
    "delete_staff",
    "describe_site",
    "enable_module",
    "get_module_link",
    "get_password_recovery",
    "get_schedule",
    "get_staff",
    "get_user_access",
    "list_groups",
    "list_schedules",
    "list_staff",
    "merchant_of_site",
    "request_password_recovery",
    "reset_password",
    "save_module_link",
    "save_user_access",
    "set_identity_provider",
    "set_profile_image",
    "update_schedule",
    "update_staff",
]
