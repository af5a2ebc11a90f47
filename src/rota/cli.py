"""The operator CLI. Scripts depend on these exact forms and on the last line each create
command prints (the new id or key), so keep both stable."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from rota import event_rendering
from rota.booxi import service as booxi_service
from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.db import create_engine, create_sessionmaker
from rota.core.errors import RotaError
from rota.events import keys
from rota.events import service as events_service
from rota.events.relay import Relay, relay_settings
from rota.events.service import SubscriptionDraft
from rota.identity import account_service
from rota.identity import service as identity_service
from rota.identity.permissions import Scope, parse_scope
from rota.identity.roles import Role
from rota.migrations import runner
from rota.staff.jobs import JobRunner

app = typer.Typer(
    help="Rota: staff, working hours and availability service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sites_app = typer.Typer(help="Sites (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook subscriptions and signing keys.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(webhooks_app, name="webhooks")

T = TypeVar("T")


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work in a transaction, reporting Rota errors as a clean exit."""

    async def run() -> T:
        engine = create_engine(Settings().database_url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except RotaError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the HTTP API (run `rota migrate` first)."""
    uvicorn.run(
        "rota.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        proxy_headers=False,
    )


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    runner.upgrade(Settings().database_url)
    typer.echo("database is up to date")


@app.command()
def init() -> None:
    """On an empty database, create a default site and an all-scopes API key and print them."""

    async def work(session: AsyncSession) -> tuple[str, str] | None:
        if await identity_service.has_any_site(session):
            return None
        now = utc_now()
        site = await identity_service.create_site(
            session, name="Default site", time_zone="UTC", now=now
        )
        key = await identity_service.create_api_key(
            session, site_ids=[site.id], scopes=None, name="default", now=now
        )
        return str(site.id), key.plaintext

    created = _in_transaction(work)
    if created is None:
        return
    site_id, key = created
    base = Settings().public_base_url
    typer.echo(
        "\nCreated a default site and an API key with every scope. The key is shown only once:\n"
        f"  site id : {site_id}\n  API key : {key}\n\nTry it:\n"
        f"  curl -s -X POST {base}/bookings/v1/staff-members \\\n"
        f"    -H 'Authorization: {key}' -H 'Content-Type: application/json' \\\n"
        '    -d \'{"staffMember": {"name": "Alex Doe", "email": "alex@example.com"}}\'\n'
        f"API docs: {base}/docs\n"
    )


@sites_app.command("create")
def sites_create(
    name: str,
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA time zone.")] = "UTC",
) -> None:
    """Create a site; the last line printed is its id."""

    async def work(session: AsyncSession) -> uuid.UUID:
        site = await identity_service.create_site(
            session, name=name, time_zone=time_zone, now=utc_now()
        )
        return site.id

    typer.echo(str(_in_transaction(work)))


@sites_app.command("list")
def sites_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List sites."""

    async def work(session: AsyncSession) -> list[dict[str, str]]:
        return [
            {"id": str(s.id), "name": s.name, "timeZone": s.time_zone}
            for s in await identity_service.list_sites(session)
        ]

    sites = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps(sites, indent=2))
        return
    for site in sites:
        typer.echo(f"{site['id']}  {site['timeZone']:<24} {site['name']}")


def _parse_scopes(names: list[str]) -> list[Scope]:
    try:
        return [parse_scope(name) for name in names]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scope") from None


@keys_app.command("create")
def keys_create(
    site: Annotated[list[uuid.UUID], typer.Option("--site", help="Site id; repeat for more.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="Scope; repeat. Default: every scope.")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="A label for listings.")] = "",
) -> None:
    """Create an API key; the last line printed is the key (shown only this once)."""
    scopes = _parse_scopes(scope or [])

    async def work(session: AsyncSession) -> str:
        created = await identity_service.create_api_key(
            session, site_ids=site, scopes=scopes, name=name, now=utc_now()
        )
        return created.plaintext

    typer.echo(_in_transaction(work))


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never their secret)."""

    async def work(session: AsyncSession) -> list[str]:
        rows = []
        for key, site_ids in await identity_service.list_api_keys(session):
            state = "revoked" if key.revoked_at else "active"
            sites = ",".join(str(s) for s in site_ids)
            rows.append(
                f"{key.id}  {key.prefix}…  {state:<7}  {key.name or '-'}  "
                f"scopes={','.join(key.scopes)}  sites={sites}"
            )
        return rows

    for row in _in_transaction(work):
        typer.echo(row)


@keys_app.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key id or its listed prefix.")]) -> None:
    """Revoke an API key; it stops working within the server's key cache time (2 s default)."""

    async def work(session: AsyncSession) -> uuid.UUID:
        revoked = await identity_service.revoke_api_key(
            session, id_or_prefix=key.rstrip("…"), now=utc_now()
        )
        return revoked.id

    typer.echo(f"revoked {_in_transaction(work)}")


@app.command()
def worker() -> None:
    """Deliver webhooks and run bulk jobs without serving HTTP; run several for throughput
    (on PostgreSQL they share the work safely). Stop with Ctrl-C or SIGTERM."""

    async def run() -> None:
        settings = Settings()
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        event_rendering.register_all()
        relay = Relay(sessionmaker, utc_now, relay_settings(settings))
        jobs = JobRunner(
            sessionmaker,
            utc_now,
            batch_size=settings.job_batch_size,
            public_base_url=settings.public_base_url,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        relay.start()
        jobs.start()
        typer.echo("rota worker: delivering webhooks and running jobs", err=True)
        try:
            await stop.wait()
        finally:
            await relay.stop()
            await jobs.stop()
            await engine.dispose()

    asyncio.run(run())


@webhooks_app.command("create")
def webhooks_create(
    site: Annotated[uuid.UUID, typer.Option("--site", help="Site id.")],
    url: Annotated[str, typer.Option("--url", help="Receiver URL (http or https).")],
    event: Annotated[
        list[str] | None, typer.Option("--event", help="Event type; repeat. Default: all.")
    ] = None,
    webhook_format: Annotated[
        str, typer.Option("--format", help="wix (RS256 JWT body) or standard (HMAC).")
    ] = "wix",
) -> None:
    """Subscribe a URL; the last line printed is the subscription id (for the standard format
    the shared secret is printed on the line before, once)."""
    formats = {"wix": "WIX", "standard": "STANDARD_WEBHOOKS"}
    if webhook_format not in formats:
        raise typer.BadParameter("use wix or standard", param_hint="--format")

    async def work(session: AsyncSession) -> tuple[uuid.UUID, str | None]:
        await identity_service.get_site(session, site)
        subscription = await events_service.create_subscription(
            session,
            site_id=site,
            draft=SubscriptionDraft(
                url=url, event_types=tuple(event or ()), format=formats[webhook_format]
            ),
            now=utc_now(),
        )
        return subscription.id, subscription.secret

    subscription_id, secret = _in_transaction(work)
    if secret:
        typer.echo(f"secret: {secret}")
    typer.echo(str(subscription_id))


@webhooks_app.command("list")
def webhooks_list(
    site: Annotated[uuid.UUID | None, typer.Option("--site", help="Only this site.")] = None,
) -> None:
    """List webhook subscriptions."""

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{s.id}  {s.site_id}  {'active' if s.active else 'paused':<6}  {s.format:<17}  "
            f"{s.url}  events={','.join(s.event_types) or '*'}"
            for s in await events_service.list_subscriptions(session, site_id=site)
        ]

    for row in _in_transaction(work):
        typer.echo(row)


@webhooks_app.command("rotate-key")
def webhooks_rotate_key() -> None:
    """Start signing with a new RSA key; the old one stays in the JWKS for 7 days."""

    async def work(session: AsyncSession) -> str:
        return await keys.rotate(session, now=utc_now())

    typer.echo(_in_transaction(work))


@users_app.command("create")
def users_create(
    site: Annotated[uuid.UUID, typer.Option("--site", help="Site the user joins.")],
    email: Annotated[str, typer.Option("--email", help="Sign-in e-mail address.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, supervisor, manager, staff.")
    ] = "admin",
    password: Annotated[
        str,
        typer.Option(
            "--password",
            envvar="ROTA_NEW_USER_PASSWORD",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Read from ROTA_NEW_USER_PASSWORD or prompted; never put it on the command line.",
        ),
    ] = "",
) -> None:
    """Create a user (or add an existing one to the site); the last line printed is its id."""
    try:
        chosen = Role(role.upper())
    except ValueError:
        raise typer.BadParameter(
            "use admin, supervisor, manager, staff or restricted_staff", param_hint="--role"
        ) from None

    async def work(session: AsyncSession) -> uuid.UUID:
        now = utc_now()
        await identity_service.get_site(session, site)
        user = await account_service.find_user_by_email(session, email)
        if user is None:
            user = await account_service.create_user(
                session, email=email, password=password, now=now
            )
        await account_service.grant_membership(
            session, user_id=user.id, site_id=site, role=chosen, now=now
        )
        return user.id

    typer.echo(str(_in_transaction(work)))


# ------------------------------------------------------------------ Booxi: merchants, groups

groups_app = typer.Typer(help="Booxi head-office groups of merchants.", no_args_is_help=True)
modules_app = typer.Typer(help="Booxi partner modules of merchants.", no_args_is_help=True)
app.add_typer(groups_app, name="groups")
app.add_typer(modules_app, name="modules")


def _site_document(site: booxi_service.SiteDescription) -> dict[str, object]:
    provider = (
        {"name": site.identity_provider, "domains": list(site.identity_provider_domains)}
        if site.identity_provider
        else None
    )
    return {
        "id": str(site.site_id),
        "merchantId": site.merchant_id,
        "name": site.name,
        "timeZone": site.time_zone,
        "groupId": site.group_id,
        "groupName": site.group_name,
        "isHeadOffice": site.is_head_office,
        "identityProvider": provider,
        "modules": list(site.modules),
    }


@sites_app.command("show")
def sites_show(
    site: Annotated[uuid.UUID, typer.Argument(help="Site id.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a site with its Booxi merchant id (assigned on first need), group and modules."""

    async def work(session: AsyncSession) -> dict[str, object]:
        described = await booxi_service.describe_site(session, site_id=site, now=utc_now())
        return _site_document(described)

    document = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    for name, value in document.items():
        typer.echo(f"{name}: {'-' if value is None else value}")


@sites_app.command("set-idp")
def sites_set_idp(
    site: Annotated[uuid.UUID, typer.Argument(help="Site id.")],
    name: Annotated[str | None, typer.Option("--name", help="Identity provider name.")] = None,
    domain: Annotated[
        list[str] | None, typer.Option("--domain", help="E-mail domain; repeat for more.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the identity provider.")] = False,
) -> None:
    """Give the site (merchant) a SAML identity provider: login e-mails of its staff must then
    be in one of its domains."""
    if clear == (name is not None):
        raise typer.BadParameter("give --name with --domain, or --clear", param_hint="--name")

    async def work(session: AsyncSession) -> None:
        await booxi_service.set_identity_provider(
            session, site_id=site, name=name, domains=domain or [], now=utc_now()
        )

    _in_transaction(work)
    typer.echo("identity provider removed" if clear else f"identity provider {name} set")


@groups_app.command("create")
def groups_create(
    name: str,
    head_office: Annotated[
        uuid.UUID | None,
        typer.Option("--head-office", help="Existing site to be the head office."),
    ] = None,
    time_zone: Annotated[
        str, typer.Option("--time-zone", help="IANA zone of a new head-office site.")
    ] = "UTC",
) -> None:
    """Create a head-office group (and, without --head-office, a head-office site for its
    personnel templates); the last line printed is the group id."""

    async def work(session: AsyncSession) -> tuple[int, uuid.UUID]:
        group = await booxi_service.create_group(
            session,
            name=name,
            head_office_site_id=head_office,
            time_zone=time_zone,
            now=utc_now(),
        )
        return group.id, group.head_office_site_id

    group_id, head_office_site = _in_transaction(work)
    typer.echo(f"head office site: {head_office_site}")
    typer.echo(str(group_id))


@groups_app.command("add-site")
def groups_add_site(
    group: Annotated[int, typer.Argument(help="Group id.")],
    site: Annotated[uuid.UUID, typer.Argument(help="Site id.")],
) -> None:
    """Put a site (merchant) in a group, out of any other; its staff may then be created from
    the group's templates."""

    async def work(session: AsyncSession) -> int:
        merchant = await booxi_service.add_site_to_group(
            session, group_id=group, site_id=site, now=utc_now()
        )
        return merchant.id

    typer.echo(f"site {site} (merchant {_in_transaction(work)}) is in group {group}")


@groups_app.command("list")
def groups_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List head-office groups."""

    async def work(session: AsyncSession) -> list[dict[str, object]]:
        return [
            {"id": g.id, "name": g.name, "headOfficeSiteId": str(g.head_office_site_id)}
            for g in await booxi_service.list_groups(session)
        ]

    groups = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps(groups, indent=2))
        return
    for group_row in groups:
        typer.echo(f"{group_row['id']}  {group_row['headOfficeSiteId']}  {group_row['name']}")


@modules_app.command("enable")
def modules_enable(
    site: Annotated[uuid.UUID, typer.Argument(help="Site id.")],
    module: Annotated[str, typer.Argument(help="Module id, e.g. the HR system's name.")],
) -> None:
    """Let partner keys of the site link its staff to the module and search by its ids."""

    async def work(session: AsyncSession) -> None:
        await booxi_service.enable_module(session, site_id=site, module_id=module, now=utc_now())

    _in_transaction(work)
    typer.echo(f"module {module} enabled for site {site}")
