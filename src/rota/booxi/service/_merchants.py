"""Merchants (sites seen by Booxi), head-office groups, identity providers and modules.

A partner key's sites are its merchants: its partnership. Every lookup takes the partnership and
treats anything outside it as unknown, so another partner's ids cannot even be confirmed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import AlreadyHeadOffice, GroupNotFound, MerchantNotFound, at, invalid
from rota.booxi.models import HeadOfficeGroup, Merchant
from rota.identity import service as identity_service

# The sites of a partner key.
Partnership = Sequence[uuid.UUID]

_MODULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# Booxi's limit on an identity provider's comma-separated domain list.
MAX_IDP_DOMAINS_CHARS = 384


async def _merchant(session: AsyncSession, site_id: uuid.UUID, now: datetime) -> Merchant:
    """The site's merchant, numbering the site on first need; ``SiteNotFound`` for an unknown
    site (checked first, so no merchant row is tried for it)."""
    await identity_service.get_site(session, site_id)
    return await repository.ensure_merchant(session, site_id=site_id, now=now)


async def merchant_of_site(session: AsyncSession, *, site_id: uuid.UUID, now: datetime) -> int:
    """The site's merchant id, numbering the site on first need."""
    return (await _merchant(session, site_id, now)).id


async def resolve_merchant(
    session: AsyncSession,
    *,
    partnership: Partnership,
    merchant_id: int,
    parameter: str = "merchantId",
) -> Merchant:
    merchant = await repository.merchant(session, merchant_id)
    if merchant is None or merchant.site_id not in partnership:
        raise MerchantNotFound(
            f"Merchant {merchant_id} does not exist or is not one of this partner key's merchants",
            details=at(parameter),
        )
    return merchant


async def head_office_site(session: AsyncSession, merchant: Merchant) -> uuid.UUID | None:
    """The site holding the personnel templates of the merchant's group, if it has one."""
    if merchant.group_id is None:
        return None
    group = await repository.group(session, merchant.group_id)
    return group.head_office_site_id if group is not None else None


async def is_head_office(session: AsyncSession, site_id: uuid.UUID) -> bool:
    return await repository.group_headed_by(session, site_id) is not None


@dataclass(frozen=True)
class SiteDescription:
    site_id: uuid.UUID
    merchant_id: int
    name: str
    time_zone: str
    group_id: int | None
    group_name: str | None
    is_head_office: bool
    identity_provider: str | None
    identity_provider_domains: tuple[str, ...]
    modules: tuple[str, ...]


async def describe_site(
    session: AsyncSession, *, site_id: uuid.UUID, now: datetime
) -> SiteDescription:
    site = await identity_service.get_site(session, site_id)
    merchant = await repository.ensure_merchant(session, site_id=site_id, now=now)
    group = await repository.group(session, merchant.group_id) if merchant.group_id else None
    modules = await repository.modules_of_sites(session, [site_id])
    return SiteDescription(
        site_id=site.id,
        merchant_id=merchant.id,
        name=site.name,
        time_zone=site.time_zone,
        group_id=group.id if group else None,
        group_name=group.name if group else None,
        is_head_office=group is not None and group.head_office_site_id == site_id,
        identity_provider=merchant.idp_name,
        identity_provider_domains=tuple(merchant.idp_domains),
        modules=tuple(module for _, module in modules),
    )


async def create_group(
    session: AsyncSession,
    *,
    name: str,
    head_office_site_id: uuid.UUID | None,
    time_zone: str,
    now: datetime,
) -> HeadOfficeGroup:
    """A head-office group. Its head office is the given site, or a new one named after the
    group; the head office is a merchant of the group and holds its personnel templates."""
    name = identity_service.checked_name(name, "Group name")
    if head_office_site_id is None:
        site = await identity_service.create_site(
            session, name=f"{name} (head office)", time_zone=time_zone, now=now
        )
        head_office_site_id = site.id
    merchant = await _merchant(session, head_office_site_id, now)
    await _check_not_head_office(session, head_office_site_id)
    group = HeadOfficeGroup(
        name=name, head_office_site_id=head_office_site_id, created_at=now, updated_at=now
    )
    await repository.add(session, group)
    merchant.group_id = group.id
    return group


async def _check_not_head_office(session: AsyncSession, site_id: uuid.UUID) -> None:
    headed = await repository.group_headed_by(session, site_id)
    if headed is not None:
        raise AlreadyHeadOffice(
            f"Site {site_id} is the head office of group {headed.id} and stays in it"
        )


async def add_site_to_group(
    session: AsyncSession, *, group_id: int, site_id: uuid.UUID, now: datetime
) -> Merchant:
    """Put the site's merchant in the group (moving it out of any other group)."""
    group = await repository.group(session, group_id)
    if group is None:
        raise GroupNotFound(f"Group {group_id} does not exist")
    merchant = await _merchant(session, site_id, now)
    if group.head_office_site_id != site_id:
        await _check_not_head_office(session, site_id)
    merchant.group_id = group.id
    return merchant


async def list_groups(session: AsyncSession) -> Sequence[HeadOfficeGroup]:
    return await repository.groups(session)


async def set_identity_provider(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    name: str | None,
    domains: Sequence[str],
    now: datetime,
) -> Merchant:
    """Give the merchant a SAML identity provider and its e-mail domains (None clears it):
    login e-mails of the merchant's staff must then be in those domains."""
    merchant = await _merchant(session, site_id, now)
    if name is None:
        merchant.idp_name, merchant.idp_domains = None, []
        return merchant
    cleaned = [domain.strip().lower().lstrip("@") for domain in domains]
    bad = [domain for domain in cleaned if not _DOMAIN.fullmatch(domain)]
    if not name.strip() or len(name) > 100:
        raise invalid("name", "The identity provider needs a name of 1 to 100 characters")
    if not cleaned or bad:
        raise invalid("domains", f"Give one or more e-mail domains such as example.com: {bad}")
    if len(",".join(cleaned)) > MAX_IDP_DOMAINS_CHARS:
        raise invalid(
            "domains", f"The domain list is limited to {MAX_IDP_DOMAINS_CHARS} characters"
        )
    merchant.idp_name, merchant.idp_domains = name.strip(), cleaned
    return merchant


async def enable_module(
    session: AsyncSession, *, site_id: uuid.UUID, module_id: str, now: datetime
) -> None:
    """Let the merchant's partner keys link staff to the module and search by its ids."""
    await _merchant(session, site_id, now)
    if not _MODULE_ID.fullmatch(module_id):
        raise invalid("moduleId", "A module id is 1 to 100 letters, digits and . _ : - (no spaces)")
    await repository.enable_module(session, site_id=site_id, module_id=module_id, now=now)


async def sites_with_module(
    session: AsyncSession, *, site_ids: Sequence[uuid.UUID], module_id: str
) -> list[uuid.UUID]:
    return [
        site
        for site, module in await repository.modules_of_sites(session, site_ids)
        if module == module_id
    ]
