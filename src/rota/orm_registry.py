"""Imports every domain's tables so Alembic and tests see the whole schema in one metadata."""

from __future__ import annotations

from rota.booxi import models as booxi_models
from rota.calendar import models as calendar_models
from rota.core.orm import Base
from rota.events import models as events_models
from rota.identity import models as identity_models
from rota.media import models as media_models
from rota.staff import models as staff_models

metadata = Base.metadata

__all__ = [
    "booxi_models",
    "calendar_models",
    "events_models",
    "identity_models",
    "media_models",
    "metadata",
    "staff_models",
]
