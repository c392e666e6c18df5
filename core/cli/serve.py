"""`syncdoctor serve`: the host service under uvicorn (design section 10).

Flags are generated from :class:`~syncdoctor.service.Settings`, so every setting has a flag,
a ``SYNCDOCTOR_*`` variable and a TOML key, and the three cannot drift apart.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import socket
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from .command import add_command, missing_extra

__all__ = ["SETTING_EXAMPLES", "register", "run", "settings_env"]

EXIT_OK, EXIT_USAGE = 0, 2


EXAMPLES = (
    "syncdoctor serve --port 8080 --db sqlite:///syncdoctor.db",
    "syncdoctor serve --config serve.toml --workers 4",
    "SYNCDOCTOR_DB=postgresql+psycopg://sd@db.internal/sd syncdoctor serve --host 0.0.0.0",
    "syncdoctor serve --insecure-no-auth --port 0",
)

#: the value each setting's flag shows as its example; kept here, beside the flags, so the
#: Settings model stays the settings and docs/service.md's table stays as it is
#: (tests/cli/test_commands.py fails for a setting without one)
SETTING_EXAMPLES = {
    "db": "--db postgresql+psycopg://sd@db.internal/sd",
    "host": "--host 0.0.0.0",
    "port": "--port 9000",
    "workers": "--workers 4",
    "engine": "--engine durable",
    "lang": "--lang fr",
    "strict": "--strict",
    "plugins": "--plugins acd,qonto",
    "max_body_bytes": "--max-body-bytes 8388608",
    "max_batch": "--max-batch 10000",
    "time_budget": "--time-budget 10",
    "header_timeout": "--header-timeout 5",
    "chunk_records": "--chunk-records 512",
    "auth_cache_seconds": "--auth-cache-seconds 0",
    "console_secret": '--console-secret "$(openssl rand -base64 32)"',
    "insecure_no_auth": "--insecure-no-auth",
    "ledger_report_bytes": "--ledger-report-bytes 4096",
    "ledger_retention_days": "--ledger-retention-days 30",
    "escalate_after": "--escalate-after 5",
    "webhooks_deliver": "--no-webhooks-deliver",
    "webhooks_private": "--webhooks-private",
    "migrate": "--no-migrate",
    "metrics_dir": "--metrics-dir /run/syncdoctor",
    "log_level": "--log-level debug",
}


def register(subparsers: Any) -> argparse.ArgumentParser:
    # no common --lang/--engine: serve has settings of those names (the service's defaults)
    p = add_command(subparsers, "serve", "run the HTTP service (needs the 'service' extra)", EXAMPLES,
                    "Run syncdoctor as an HTTP service under uvicorn, until stopped. Settings come from "
                    "--config (TOML), then SYNCDOCTOR_* variables, then these flags (docs/service.md).",
                    common=False)
    p.add_argument("--config", metavar="FILE", help="TOML file of settings (top level or [serve]) "
                   "(e.g. --config serve.toml)")
    add_setting_flags(p)
    p.set_defaults(handler=run)
    return p


def _setting_help(name: str, description: str | None) -> str:
    example = SETTING_EXAMPLES.get(name)
    return (description or "") + (f" (e.g. {example})" if example else "")


def add_setting_flags(p: argparse.ArgumentParser) -> None:
    from syncdoctor.service.settings import Settings

    for name, info in Settings.model_fields.items():
        flag = "--" + name.replace("_", "-")
        help_text = _setting_help(name, info.description)
        if info.annotation is bool:
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif name == "plugins":
            p.add_argument(flag, dest=name, default=None, metavar="A,B",
                           type=lambda v: [x.strip() for x in v.split(",") if x.strip()], help=help_text)
        else:
            p.add_argument(flag, dest=name, default=None, metavar=name.upper(), help=help_text)


def settings_env(settings: Any) -> dict[str, str]:
    """The settings as the ``SYNCDOCTOR_*`` variables a worker process reads them back from."""
    from pydantic import SecretStr

    from syncdoctor.service.settings import _env_name

    env = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            text = value.get_secret_value()  # the workers need the secret itself, not its mask
        elif isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, list):
            text = ",".join(value)
        else:
            text = str(value)
        env[_env_name(name)] = text
    return env


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from syncdoctor.ledger import Database
        from syncdoctor.service import SettingsError, create_app, load_settings
        from syncdoctor.service.logs import configure_logging
    except ImportError as exc:
        raise missing_extra("serve", exc) from None
    from syncdoctor.service.settings import Settings

    overrides = {name: getattr(args, name, None) for name in Settings.model_fields}
    try:
        settings = load_settings(args.config, overrides=overrides)
        settings.check_bind()
    except SettingsError as exc:
        sys.stderr.write(f"syncdoctor: {exc}\n")
        return EXIT_USAGE
    configure_logging(settings.log_level)
    if settings.insecure_no_auth:
        sys.stderr.write(
            "\n  WARNING: --insecure-no-auth: no API key is checked, every caller is admin of tenant "
            f"'local'.\n  Listening on {settings.host} only. Never use this on a shared machine.\n\n")
    if settings.migrate:
        # once here, before the workers start, rather than racing in each worker
        try:
            Database(settings.db).upgrade()
        except Exception as exc:
            sys.stderr.write(f"syncdoctor: cannot prepare the database: {type(exc).__name__}: {exc}\n")
            return EXIT_USAGE
    from syncdoctor.service.protocol import GuardedH11Protocol

    # h11 with a deadline on each request's head (uvicorn has none: slow-header attacks)
    common: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_config": None,
                              "access_log": False, "timeout_graceful_shutdown": 10,
                              "http": partial(GuardedH11Protocol, head_timeout=settings.header_timeout)}
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **common)
    else:
        # workers import the app by name: they read the settings back from the environment;
        # they add up their metrics through a directory of their own
        shared = settings.metrics_dir or tempfile.mkdtemp(prefix="syncdoctor-metrics-")
        for stale in Path(shared).glob("*.json"):  # an earlier run's counts would be added again
            stale.unlink()
        # one console secret for all the workers, so a session signed by one is valid on the others
        secret = settings.console_secret or SecretStr(secrets.token_urlsafe(32))
        os.environ.update(settings_env(settings.model_copy(update={"metrics_dir": shared, "console_secret": secret})))
        os.environ.pop("SYNCDOCTOR_CONFIG", None)
        try:
            _serve_workers(uvicorn, settings, common)
        finally:
            if settings.metrics_dir is None:
                shutil.rmtree(shared, ignore_errors=True)
    return EXIT_OK


def _serve_workers(uvicorn: Any, settings: Any, common: dict[str, Any]) -> None:
    """uvicorn's own multi-worker start, on a listening socket made here.

    uvicorn binds the shared socket with protocol 0; the workers' accepted connections inherit
    it, and asyncio only sets TCP_NODELAY on sockets whose protocol reads IPPROTO_TCP. Without
    it every answer written in two pieces (headers, body) waits for the client's delayed ACK:
    44 ms per request instead of under one (measured by bench/bench_service.py).
    """
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("syncdoctor.service.asgi:app", factory=True, workers=settings.workers, **common)
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host.strip("[]"), settings.port))
    except OSError as exc:
        sys.stderr.write(f"syncdoctor: cannot listen on {settings.host}:{settings.port}: {exc.strerror}\n")
        raise SystemExit(EXIT_USAGE) from None
    sock.set_inheritable(True)
    logging.getLogger("uvicorn.error").info(
        "syncdoctor listening on %s:%d with %d workers", settings.host, sock.getsockname()[1], settings.workers)
    Multiprocess(config, sockets=[sock]).run()

