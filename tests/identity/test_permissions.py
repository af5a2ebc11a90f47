"""Scope parsing and the permissions scopes grant."""

from __future__ import annotations

import pytest

from rota.identity.permissions import Permission, Scope, parse_scope, permissions_for


def test_wix_scope_ids_map_onto_rota_scopes() -> None:
    assert parse_scope("SCOPE.DC-BOOKINGS.MANAGE-BOOKINGS") is Scope.BOOKINGS_MANAGE
    assert parse_scope("SCOPE.DC-CALENDAR.READ-PI") is Scope.CALENDAR_READ_PI
    assert parse_scope("bookings.read") is Scope.BOOKINGS_READ


def test_unknown_scope_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"bookings\.read"):
        parse_scope("bookings.everything")


def test_manage_implies_read_but_read_never_writes() -> None:
    manage = permissions_for(frozenset({Scope.BOOKINGS_MANAGE}))
    assert {Permission.STAFF_READ, Permission.STAFF_WRITE} <= manage
    read = permissions_for(frozenset({Scope.BOOKINGS_READ}))
    assert Permission.STAFF_WRITE not in read
    assert Permission.CALENDAR_READ_PI not in permissions_for(frozenset({Scope.CALENDAR_READ}))


def test_key_cache_expires() -> None:
    import time

    from rota.identity.deps import KeyGrantCache

    cache = KeyGrantCache(ttl_seconds=0.05)
    cache.put("h", None)
    assert cache.get("h") == (True, None)
    time.sleep(0.06)
    assert cache.get("h") == (False, None)
    assert KeyGrantCache(ttl_seconds=0).get("x") == (False, None)
