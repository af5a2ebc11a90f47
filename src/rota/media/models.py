"""The image table. Bytes live in the database so one backup holds everything and every worker or
host serves the same files without shared storage."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rota.core.orm import Base, Timestamped


class Image(Timestamped, Base):
    __tablename__ = "image"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("site.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    byte_size: Mapped[int] = mapped_column(sa.Integer)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
