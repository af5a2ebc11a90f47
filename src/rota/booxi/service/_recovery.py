"""Password recovery: codes a partner asks for on a staff member's behalf, and their use.

- A code is 8 digits, valid 24 hours; a new one supersedes the user's earlier ones (they read
  ``Expired``).
- At most five codes per user account in any 24 hours, whichever merchant or staff record asked
  (the account is what is protected); the sixth request is a 429.
- A code resets the password through ``POST /booking/v1/passwordRecovery/reset`` (a Rota
  addition: Booxi's own back office is where its codes are typed). Five wrong codes use up the
  current one.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import (
    NoUserAccount,
    PasswordRecoveryNotFound,
    TooManyRecoveryAttempts,
    at,
)
from rota.booxi.mapping import CodeState, RecoveryRecord
from rota.booxi.models import PasswordRecovery
from rota.booxi.service._merchants import Partnership
from rota.booxi.service._records import staff_record
from rota.booxi.service._staff import staff_row
from rota.identity import account_service
from rota.identity.errors import InvalidEmail

MAX_REQUESTS = 5
REQUEST_WINDOW = timedelta(hours=24)
CODE_LIFETIME = timedelta(hours=24)
MAX_WRONG_CODES = 5


def _state(recovery: PasswordRecovery, now: datetime) -> CodeState:
    state = CodeState(recovery.state)
    if state is CodeState.VALID and recovery.expires_at <= now:
        return CodeState.EXPIRED
    return state


async def request_password_recovery(
    session: AsyncSession, *, partnership: Partnership, number: int, now: datetime
) -> RecoveryRecord:
    row = await staff_row(session, partnership=partnership, number=number)
    staff, user = row.staff, row.user
    if user is None:
        raise NoUserAccount(
            f"Staff {number} has no user account yet: set up its user access and let the user "
            "accept the invitation first",
            details=at("staffId"),
        )
    # The limit is the account's, across merchants and staff records: serialise on the account
    # so two requests at once cannot both be the fifth.
    await repository.lock_user(session, user.id)
    made = await repository.count_recoveries(session, user_id=user.id, since=now - REQUEST_WINDOW)
    if made >= MAX_REQUESTS:
        raise TooManyRecoveryAttempts(
            f"This user already had {MAX_REQUESTS} password recovery attempts in the last 24 "
            "hours; try again later",
            details=at("staffId", limit=MAX_REQUESTS),
        )
    await repository.expire_recoveries(session, user_id=user.id)
    recovery = PasswordRecovery(
        staff_member_id=staff.id,
        user_id=user.id,
        login_email=user.email,
        code=10_000_000 + secrets.randbelow(90_000_000),
        state=CodeState.VALID.value,
        failed_attempts=0,
        requested_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    await repository.add(session, recovery)
    return _record(recovery, row, now)


def _record(recovery: PasswordRecovery, row: repository.StaffRow, now: datetime) -> RecoveryRecord:
    record = staff_record(row)
    return RecoveryRecord(
        request_id=recovery.id,
        staff_number=record.number,
        login_email=recovery.login_email,
        code=recovery.code,
        first_name=record.first_name,
        last_name=record.last_name,
        requested_at=recovery.requested_at,
        state=_state(recovery, now),
    )


async def get_password_recovery(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    request_id: int,
    now: datetime,
) -> RecoveryRecord:
    row = await staff_row(session, partnership=partnership, number=number)
    recovery = await repository.recovery(session, staff_id=row.staff.id, request_id=request_id)
    if recovery is None:
        raise PasswordRecoveryNotFound(
            f"Password recovery request {request_id} does not exist for staff {number}",
            details=at("requestId"),
        )
    return _record(recovery, row, now)


async def reset_password(
    session: AsyncSession, *, login_email: str, code: int, password: str, now: datetime
) -> bool:
    """Set a new password with the user's current code. False for any wrong e-mail or code
    (they are not told apart); a wrong code is counted, so the caller must commit before
    answering. Raises ``WeakPassword`` for an unacceptable password."""
    account_service.check_password(password)
    try:
        user = await account_service.find_user_by_email(session, login_email)
    except InvalidEmail:
        return False
    if user is None:
        return False
    # Locked in the same order as a new request takes them (account, then codes).
    await repository.lock_user(session, user.id)
    recovery = await repository.latest_valid_recovery(session, user_id=user.id)
    if recovery is None or _state(recovery, now) is not CodeState.VALID:
        return False
    if not hmac.compare_digest(str(recovery.code), str(code)):
        recovery.failed_attempts += 1
        if recovery.failed_attempts >= MAX_WRONG_CODES:
            recovery.state = CodeState.EXPIRED.value
        return False
    recovery.state, recovery.used_at = CodeState.USED.value, now
    await account_service.set_password(session, user=user, password=password, now=now)
    return True
