"""Ids of rows that tables gain in time order: domain events, webhook deliveries and their
attempts.

UUIDv7 (RFC 9562): a millisecond timestamp, then random bits. Consecutive ids sort together, so
each insert into an id index lands on its rightmost page, where a random UUIDv4 lands anywhere in
an index that only grows: a page read and, after each checkpoint, a whole page written to the
WAL, once the index outgrows memory. `uuid_utils` makes one without a system call (0.9 us against
uuid4's 1.7 us here). Ids that say nothing about when a row was made stay UUIDv4.
"""

from __future__ import annotations

from uuid_utils.compat import uuid7 as time_ordered_id

__all__ = ["time_ordered_id"]
