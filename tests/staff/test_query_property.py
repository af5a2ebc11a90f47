"""Property: for random staff rows and random filters and sorts, the staff repository returns
exactly the rows, in exactly the order, that the pure reference evaluator picks."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.staff import repository
from rota.staff.models import StaffMember
from rota.staff.query_fields import BUSINESS_LOCATION_IDS, STAFF_QUERY_FIELDS
from rota.wixquery import FieldKind, Node, SortKey, matches, sort_key, with_tiebreaker
from tests.builders import SiteContext
from tests.wixquery.strategies import TAGS, filters, scalars, sorts

_NUMBERS = itertools.count(10**12)
_IDENTITY = "associatedWixIdentity.identificationData"


def _text(nullable: bool = True) -> st.SearchStrategy[Any]:
    value = scalars(FieldKind.STRING, wide=False)
    return (st.none() | value) if nullable else value.filter(bool)


_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "name": _text(nullable=False),
            "email": _text(),
            "phone": _text(),
            "description": _text(),
            "identity_type": _text(),
            "wix_user_id": st.none() | scalars(FieldKind.GUID, wide=False),
            "contact_id": st.none() | scalars(FieldKind.GUID, wide=False),
            "service_provider": st.booleans(),
            "is_default": st.booleans(),
            "created_at": scalars(FieldKind.DATETIME, wide=False),
            "updated_at": scalars(FieldKind.DATETIME, wide=False),
            "business_location_ids": st.lists(st.sampled_from(TAGS), max_size=3),
        }
    ),
    max_size=12,
)


def _row(site: SiteContext, values: dict[str, Any]) -> StaffMember:
    guid = {k: uuid.UUID(values[k]) if values[k] else None for k in ("wix_user_id", "contact_id")}
    return StaffMember(
        **{**values, **guid},
        id=uuid.uuid4(),
        number=next(_NUMBERS),
        site_id=site.site_id,
        revision=2,
        resource_id=uuid.uuid4(),
        resource_revision=1,
        events_schedule_id=uuid.uuid4(),
        working_hours_schedule_id=uuid.uuid4(),
        uses_default_working_hours=True,
        ranking=0,
        connection_status="DISCONNECTED",
        search_text="",
    )


def _record(staff: StaffMember) -> dict[str, object]:
    return {
        **repository.sort_record(staff),
        "default": staff.is_default,
        "resource.id": str(staff.resource_id),
        BUSINESS_LOCATION_IDS: staff.business_location_ids,
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS, node=filters(STAFF_QUERY_FIELDS, wide=False), sort=sorts(STAFF_QUERY_FIELDS))
async def test_repository_agrees_with_reference_evaluator(
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: list[dict[str, Any]],
    node: Node,
    sort: tuple[SortKey, ...],
) -> None:
    async with sessionmaker() as session:
        transaction = await session.begin()
        try:
            staff = [_row(site, values) for values in rows]
            session.add_all(staff)
            await session.flush()
            found = await repository.query_page(
                session,
                site_id=site.site_id,
                filter_node=node,
                sort=sort,
                after=None,
                forward=True,
                limit=100,
            )
            # The repository breaks ties by id in the direction of the last key.
            keys = with_tiebreaker(sort, follow_last=True)
            expected = sorted(
                (s for s in staff if matches(node, _record(s))),
                key=lambda s: sort_key(keys, _record(s)),
            )
            assert [s.id for s, _ in found] == [s.id for s in expected]
            assert await repository.count_matching(
                session, site_id=site.site_id, filter_node=node
            ) == len(expected)
        finally:
            await transaction.rollback()
