"""Durable background jobs: bulk tag updates by filter.

A job is a row. The runner takes the oldest unfinished one, handles one batch of staff members
after the position it reached, and commits the batch together with the new position and counts,
so a server stopped at any moment resumes exactly where the last commit left it. On PostgreSQL
several workers share jobs safely (`FOR UPDATE SKIP LOCKED`); SQLite runs one writer at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from rota.core.context import Actor, WriteContext
from rota.core.errors import FieldViolation, InvalidInput
from rota.staff import repository
from rota.staff import service as staff_service
from rota.staff.errors import JobNotFound, TooManyTags
from rota.staff.models import BulkJob
from rota.staff.query_fields import STAFF_QUERY_FIELDS
from rota.wixquery import QueryError, parse_filter, render_filter

logger = logging.getLogger("rota.jobs")

TAGS_BY_FILTER = "UPDATE_TAGS_BY_FILTER"
PENDING, RUNNING, FINISHED = "PENDING", "RUNNING", "FINISHED"
BATCH_SIZE = 200
MAX_RECORDED_ERRORS = 100


async def create_tags_by_filter_job(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    raw_filter: object,
    assign: Mapping[str, Any] | None,
    unassign: Mapping[str, Any] | None,
    ctx: WriteContext,
) -> BulkJob:
    """Check the request now, so a bad filter is a 400 rather than a failed job later."""
    staff_service.check_tag_lists(assign, unassign)
    try:
        node = parse_filter(raw_filter or None, STAFF_QUERY_FIELDS)
    except QueryError as error:
        raise InvalidInput(
            error.message,
            violations=[FieldViolation(error.field, error.message, error.rule)],
        ) from None
    job = BulkJob(
        id=uuid.uuid4(),
        site_id=site_id,
        kind=TAGS_BY_FILTER,
        state=PENDING,
        params={
            "filter": render_filter(node),
            "assignTags": dict(assign or {}),
            "unassignTags": dict(unassign or {}),
            # The job's changes are the requester's, and their events say so.
            "actor": {
                "identityType": ctx.actor.identity_type,
                "id": str(ctx.actor.id) if ctx.actor.id else None,
            },
        },
        total=None,
        processed=0,
        succeeded=0,
        failed=0,
        errors=[],
        position=None,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    await repository.add_job(session, job)
    return job


async def get_job(session: AsyncSession, *, site_id: uuid.UUID, job_id: uuid.UUID) -> BulkJob:
    job = await repository.get_job(session, site_id=site_id, job_id=job_id)
    if job is None:
        raise JobNotFound(f"Job {job_id} does not exist")
    return job


def _job_context(job: BulkJob, now: datetime, public_base_url: str) -> WriteContext:
    actor = job.params.get("actor") or {}
    actor_id = actor.get("id")
    return WriteContext(
        now=now,
        actor=Actor(actor.get("identityType", "APP"), uuid.UUID(actor_id) if actor_id else None),
        public_base_url=public_base_url,
    )


async def _run_batch(
    session: AsyncSession, job: BulkJob, ctx: WriteContext, batch_size: int
) -> None:
    node = parse_filter(job.params["filter"] or None, STAFF_QUERY_FIELDS)
    if job.total is None:
        job.total = await repository.count_matching(session, site_id=job.site_id, filter_node=node)
        job.state = RUNNING
    rows = await repository.query_page(
        session,
        site_id=job.site_id,
        filter_node=node,
        sort=(),
        after=None if job.position is None else [str(job.position)],
        forward=True,
        limit=batch_size,
    )
    errors = list(job.errors)
    for staff, _ in rows:
        try:
            await staff_service.retag(
                session,
                staff,
                assign=job.params["assignTags"],
                unassign=job.params["unassignTags"],
                ctx=ctx,
            )
            job.succeeded += 1
        except TooManyTags as error:
            job.failed += 1
            if len(errors) < MAX_RECORDED_ERRORS:
                errors.append(
                    {"id": str(staff.id), "code": error.code, "description": error.message}
                )
    job.errors = errors
    job.processed += len(rows)
    if rows:
        job.position = rows[-1][0].id
    if len(rows) < batch_size:
        job.state = FINISHED
        job.finished_at = ctx.now
    job.updated_at = ctx.now
    await session.flush()


async def run_one_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    batch_size: int = BATCH_SIZE,
    public_base_url: str = "",
) -> bool:
    """Advance the oldest unfinished job by one committed batch; False when none is waiting."""
    try:
        async with sessionmaker.begin() as session:
            job = await repository.claim_unfinished_job(session, states=(PENDING, RUNNING))
            if job is None:
                return False
            ctx = _job_context(job, clock(), public_base_url)
            await _run_batch(session, job, ctx, batch_size)
    except StaleDataError:
        # A staff member changed under us; the whole batch rolled back and is simply redone.
        logger.info("bulk job batch met a concurrent update; retrying")
    return True


class JobRunner:
    """Runs jobs in the background of a server process until stopped."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        poll_seconds: float = 1.0,
        batch_size: int = BATCH_SIZE,
        public_base_url: str = "",
    ) -> None:
        self._public_base_url = public_base_url
        self._sessionmaker = sessionmaker
        self._batch_size = batch_size
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="rota-job-runner")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                worked = await run_one_batch(
                    self._sessionmaker, self._clock, self._batch_size, self._public_base_url
                )
            except Exception:  # a broken job must not stop the runner; it is retried later
                logger.exception("bulk job batch failed")
                worked = False
            if not worked:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
