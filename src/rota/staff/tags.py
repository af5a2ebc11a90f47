"""Pure: assigning and unassigning tags on a staff member's Tags object.

A Tags object holds two lists, ``tags.tagIds`` and ``privateTags.tagIds``. A tag named in both
the assign and the unassign list ends up assigned (Wix's rule). Order is kept: existing tags
first, newly assigned ones after, so clients see stable lists.
"""

from __future__ import annotations

from typing import Any

TAG_LISTS = ("tags", "privateTags")
MAX_TAGS_PER_LIST = 100


def _ids(tags: dict[str, Any] | None, list_name: str) -> list[str]:
    return list(((tags or {}).get(list_name) or {}).get("tagIds") or [])


def is_empty(tags: dict[str, Any] | None) -> bool:
    return not any(_ids(tags, name) for name in TAG_LISTS)


def merge_tags(
    current: dict[str, Any] | None,
    assign: dict[str, Any] | None,
    unassign: dict[str, Any] | None,
) -> dict[str, Any]:
    """The Tags object after the change; raises ValueError when a list would exceed the limit."""
    merged: dict[str, Any] = {}
    for name in TAG_LISTS:
        added = _ids(assign, name)
        removed = set(_ids(unassign, name)) - set(added)
        ids = [t for t in _ids(current, name) if t not in removed]
        ids += [t for t in dict.fromkeys(added) if t not in ids]
        if len(ids) > MAX_TAGS_PER_LIST:
            raise ValueError(
                f"{name} would hold {len(ids)} tags; at most {MAX_TAGS_PER_LIST} are allowed"
            )
        if ids or name in (current or {}):
            merged[name] = {"tagIds": ids}
    return merged
