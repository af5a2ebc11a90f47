"""Runtime settings, read from ``ROTA_*`` environment variables when an app or command starts.

Nothing here is read at import time: ``Settings()`` is built by whoever starts Rota (the CLI, a
test, a benchmark) and handed to ``create_app``, so tests never depend on import order.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/rota.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROTA_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Signs cursors and other tamper-evident tokens. A fixed default keeps `make run` zero-config;
    # production deployments set their own (the README says so).
    secret_key: str = "rota-development-secret-change-me"
    public_base_url: str = "http://127.0.0.1:8000"
    max_image_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # How long an API key lookup may be served from memory; bounds how late a revocation bites.
    api_key_cache_seconds: float = Field(default=2.0, ge=0)
    # Staff members a bulk job handles per committed batch.
    job_batch_size: int = Field(default=200, ge=1, le=10_000)
    # Webhook delivery: the relay runs inside `rota serve` unless turned off here (then run
    # `rota worker` processes instead).
    relay_in_server: bool = True
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_hours: float = Field(default=24.0, gt=0)
    webhook_max_backoff_seconds: float = Field(default=3600.0, gt=0)
    # A delivery in flight is leased this long; a relay that dies frees it when the lease ends.
    relay_lease_seconds: float = Field(default=60.0, gt=0)
    relay_batch_size: int = Field(default=200, ge=1, le=1000)
    # Few connections are cheaper: httpx's pool does work per pooled connection on every call.
    relay_concurrency: int = Field(default=8, ge=1, le=1000)
    # Outgoing mail: smtp://user:pass@host:587?starttls=true or smtps://host:465; unset writes
    # .eml files under var/mail instead.
    smtp_url: str | None = None
    mail_from: str = "Rota <no-reply@rota.invalid>"
    mail_dir: Path = Path("var/mail")
    invitation_days: float = Field(default=7.0, gt=0)
    sql_echo: bool = False
