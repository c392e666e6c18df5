"""The service's settings: one pydantic model, read from a TOML file, then the environment
(``SYNCDOCTOR_<FIELD>``), then command-line flags, each layer overriding the one before.

Plain pydantic rather than pydantic-settings: the three layers fit in a few lines here, and
the service extra stays one dependency smaller. The table in ``docs/service.md`` is written
by :func:`settings_table` and a test compares the two.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "load_settings", "settings_table"]

ENV_PREFIX = "SYNCDOCTOR_"

# A few names predate the service: the CLI and the Host already read them. Keep them.
_ENV_NAMES = {"db": "SYNCDOCTOR_DB", "engine": "SYNCDOCTOR_ENGINE", "strict": "SYNCDOCTOR_STRICT"}


class SettingsError(ValueError):
    """A setting is invalid; the message names the setting and where it came from."""


class Settings(BaseModel):
    """Everything `syncdoctor serve` and :func:`syncdoctor.service.create_app` read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    db: str = Field(default="sqlite:///syncdoctor.db", description="database URL (SQLite file, or postgresql+psycopg://...)")
    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8080, ge=0, le=65535, description="TCP port (0: any free port)")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes")
    engine: Literal["native", "durable"] = Field(default="native", description="rule engine")
    lang: Literal["en", "fr"] = Field(default="en", description="default language of answers (`?lang=` overrides)")
    strict: bool = Field(default=False, description="a plugin that fails to load makes /readyz fail")
    plugins: list[str] | None = Field(default=None, description="allow-list of plugin names (default: every installed one)")
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, description="request body limit (413 past it)")
    max_batch: int = Field(default=100_000, ge=1, description="records in one batch request (422 past it)")
    time_budget: float = Field(default=30.0, gt=0, description="seconds one request may take (503 with Retry-After past it)")
    header_timeout: float = Field(default=10.0, gt=0, le=300, description="seconds a connection has to send a request's "
                                  "line and headers, from its opening or the head's first byte (then it is closed)")
    chunk_records: int = Field(default=256, ge=1, le=100_000,
                               description="records handed to a worker thread at a time in a batch")
    auth_cache_seconds: float = Field(default=5.0, ge=0, description="how long a checked key is trusted before the "
                                      "database is asked again (a revoked key works at most this long)")
    console_secret: SecretStr | None = Field(default=None, description="signs support-console sessions (the same "
                                             "on every worker and replica; default: random per process)")
    insecure_no_auth: bool = Field(default=False, description="no API keys (loopback addresses only; for a laptop)")
    ledger_report_bytes: int = Field(default=16384, ge=0, description="bytes of a raw rejection kept per occurrence")
    ledger_retention_days: float = Field(default=90, gt=0, description="occurrences older than this are pruned "
                                         "(issues are kept)")
    escalate_after: int = Field(default=3, ge=2, description="failures of one entity that make an escalation")
    webhooks_deliver: bool = Field(default=True, description="this process sends webhook deliveries from the outbox")
    webhooks_private: bool = Field(default=False, description="webhook URLs may reach loopback, private and link-local "
                                   "addresses (receivers inside your own network); off, a tenant cannot make the "
                                   "service call into it")
    migrate: bool = Field(default=True, description="`serve` upgrades the database schema before starting")
    metrics_dir: str | None = Field(default=None, description="directory where workers share their counts "
                                    "(`serve --workers N` makes one)")
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info", description="log level")

    @field_validator("db")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("expected a database URL such as sqlite:///syncdoctor.db")
        return value

    def check_bind(self) -> None:
        """Refuse ``insecure_no_auth`` on anything but a loopback address."""
        if self.insecure_no_auth and not is_loopback(self.host):
            raise SettingsError(
                f"insecure_no_auth: refused on {self.host!r}, which is not a loopback address; "
                "listen on 127.0.0.1 or create a key with `syncdoctor keys create`"
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _env_name(field: str) -> str:
    return _ENV_NAMES.get(field, ENV_PREFIX + field.upper())


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        raw = environ.get(_env_name(name))
        if raw is None or raw == "":
            continue
        if name == "plugins":
            out[name] = [p.strip() for p in raw.split(",") if p.strip()]
        elif info.annotation is bool:
            out[name] = raw.strip().lower() not in ("0", "false", "no", "off")
        else:
            out[name] = raw
    return out


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SettingsError(f"config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: not valid TOML: {exc}") from None
    # settings may sit at the top level or under [serve]
    section = data.get("serve", data)
    if not isinstance(section, dict):
        raise SettingsError(f"config file {path}: [serve] must be a table")
    return {k.replace("-", "_"): v for k, v in section.items()}


def load_settings(
    config: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """TOML file, then ``SYNCDOCTOR_*`` variables, then ``overrides`` (the CLI's flags)."""
    environ = os.environ if environ is None else environ
    layers: list[tuple[str, dict[str, Any]]] = []
    config = config or environ.get(ENV_PREFIX + "CONFIG")
    if config:
        layers.append((f"config file {config}", _from_file(Path(config))))
    layers.append(("environment", _from_env(environ)))
    layers.append(("command line", {k: v for k, v in (overrides or {}).items() if v is not None}))
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for where, values in layers:
        merged.update(values)
        origin.update(dict.fromkeys(values, where))
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        where = origin.get(field.split(".")[0], "settings")
        hint = f" ({_env_name(field)})" if where == "environment" else ""
        raise SettingsError(f"setting {field}{hint} from the {where}: {err['msg']}") from None


def settings_table() -> str:
    """The Markdown table of every setting, its variable, flag and default (for docs/service.md)."""
    rows = ["| setting (TOML) | environment | flag | default | meaning |", "|---|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = info.default
        if default is None:
            shown = {"plugins": "every installed", "metrics_dir": "a temporary one"}.get(name, "none")
        else:
            shown = str(default).lower() if isinstance(default, bool) else default
        flag = "--" + name.replace("_", "-")
        if info.annotation is bool:
            flag = "--[no-]" + name.replace("_", "-")
        rows.append(f"| `{name}` | `{_env_name(name)}` | `{flag}` | `{shown}` | {info.description} |")
    return "\n".join(rows)
