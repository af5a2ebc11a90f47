"""The WQL fields of the Wix staff member Query and Search endpoints (spec §2.1, seed table).

Pure data, no I/O. The repository binds each path here to a column; a path that is added here
without a column binding fails the first query that uses it, not silently.

What "all operators" means per kind (Wix lists `$eq $ne $exists $in $nin $startsWith` for these
fields and the SDK calls them "all operators"; we add the range operators where values order):
- GUID (`id`, `resourceId`, `resource.id`, the identity ids): `$eq $ne $gt $gte $lt $lte $in $nin
  $startsWith $exists` (GUIDs order and match prefixes as their lowercase canonical text).
- STRING (`description`, `identityType`): the same set.
- DATETIME (`createdDate`, `updatedDate`): the same set without `$startsWith`.
- BOOL (`serviceProvider`): `$eq $ne $in $nin $exists`.
`$isEmpty` is not part of "all": Wix only names it for the business-locations array in Search.

Choices where the sources disagree:
- `default` is filterable but not sortable (seed table), although the SDK builder sorts on it.
- `resource.id` (SDK builder only) has all operators but is not sortable.
- `identityType` is sortable in both tables (seed table; the Search list omits it).
- Search: `name`, `email`, `phone` become sortable and take all string operators (SearchSpec).
- `$matchItems` on `...businessLocations` (Search) is not supported; `$isEmpty` is, on the same
  column as `...businessLocations.locationId`.
"""

from __future__ import annotations

from rota.wixquery.fields import (
    EQ,
    EXISTS,
    GT,
    GTE,
    HAS_ALL,
    HAS_SOME,
    IN,
    IS_EMPTY,
    LT,
    LTE,
    NE,
    NIN,
    STARTS_WITH,
    FieldKind,
    FieldSpec,
    FieldTable,
)

_IDENTITY = "associatedWixIdentity.identificationData"
BUSINESS_LOCATIONS = "resource.locationOptions.specificLocationOptions.businessLocations"
BUSINESS_LOCATION_IDS = f"{BUSINESS_LOCATIONS}.locationId"

_EQUALITY = frozenset({EQ, NE, EXISTS, IN, NIN})
_ORDERED = _EQUALITY | {GT, GTE, LT, LTE}
_ALL_TEXT = _ORDERED | {STARTS_WITH}

_KIND_ALL_OPERATORS = {
    FieldKind.GUID: _ALL_TEXT,
    FieldKind.STRING: _ALL_TEXT,
    FieldKind.DATETIME: _ORDERED,
    FieldKind.BOOL: _EQUALITY,
}


def _all(path: str, kind: FieldKind, *, sortable: bool = True) -> FieldSpec:
    return FieldSpec(path, kind, _KIND_ALL_OPERATORS[kind], sortable=sortable)


STAFF_QUERY_FIELDS = FieldTable(
    [
        _all("id", FieldKind.GUID),
        _all("createdDate", FieldKind.DATETIME),
        _all("updatedDate", FieldKind.DATETIME),
        _all("description", FieldKind.STRING),
        _all("resourceId", FieldKind.GUID),
        _all("serviceProvider", FieldKind.BOOL),
        _all(f"{_IDENTITY}.wixUserId", FieldKind.GUID),
        _all(f"{_IDENTITY}.contactId", FieldKind.GUID),
        _all(f"{_IDENTITY}.identityType", FieldKind.STRING),
        _all("resource.id", FieldKind.GUID, sortable=False),
        FieldSpec("name", FieldKind.STRING, _EQUALITY, sortable=False),
        FieldSpec("email", FieldKind.STRING, _EQUALITY, sortable=False),
        FieldSpec("phone", FieldKind.STRING, _EQUALITY, sortable=False),
        FieldSpec("default", FieldKind.BOOL, _EQUALITY, sortable=False),
        FieldSpec(
            BUSINESS_LOCATION_IDS,
            FieldKind.STRING_ARRAY,
            frozenset({HAS_SOME, HAS_ALL}),
            sortable=False,
        ),
    ]
)

STAFF_SEARCH_FIELDS = STAFF_QUERY_FIELDS.with_specs(
    _all("name", FieldKind.STRING),
    _all("email", FieldKind.STRING),
    _all("phone", FieldKind.STRING),
    FieldSpec(BUSINESS_LOCATIONS, FieldKind.STRING_ARRAY, frozenset({IS_EMPTY}), sortable=False),
)

# Fields the free-text `search.expression` is matched against.
STAFF_SEARCHABLE_FIELDS = ("name",)
