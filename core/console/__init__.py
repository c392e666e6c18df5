"""The support console: the tenant's issues, explained and actionable in a browser (design section 12).

Server-rendered pages (Jinja2, plain CSS, no JavaScript) mounted by the service at ``/console``:
``create_app`` calls :func:`mount_console`. Sign-in with an API key, then a signed session
cookie; see :mod:`syncdoctor.console.session` for the security model.

Importing this package is cheap (the service imports it, and the command line imports the
service's settings): Jinja2 and the pages load when the console is mounted.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BASE", "mount_console"]

BASE = "/console"


def mount_console(parent: Any) -> None:
    """Serve the console under ``/console`` of the service app ``parent``."""
    from .app import console_app

    parent.mount(BASE, console_app(parent, BASE))
