"""Who is changing what, and when: passed to every service function that writes, so domain
events can name their cause and carry links that clients can follow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

IdentityType = Literal["APP", "WIX_USER"]


@dataclass(frozen=True)
class Actor:
    """The caller as Wix webhooks describe it: an app (API key) or a signed-in user."""

    identity_type: IdentityType
    id: uuid.UUID | None = None

    def as_identity(self) -> dict[str, Any]:
        key = "appId" if self.identity_type == "APP" else "wixUserId"
        identity: dict[str, Any] = {"identityType": self.identity_type}
        if self.id is not None:
            identity[key] = str(self.id)
        return identity


SYSTEM = Actor("APP")


@dataclass(frozen=True)
class WriteContext:
    now: datetime
    actor: Actor
    # Where clients reach this server; absolute links in event payloads start with it.
    public_base_url: str
