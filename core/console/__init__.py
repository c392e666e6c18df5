"""The support console: the tenant's issues, explained and actionable in a browser (design section 12).

Server-rendered pages (Jinja2, plain CSS, no JavaScript) mounted by the service at ``/console``:
``create_app(settings, mounts=[mount_console])``. Sign-in with an API key, then a signed
session cookie; see :mod:`syncdoctor.console.session` for the security model.
"""

from __future__ import annotations

from .app import BASE, console_app, mount_console

__all__ = ["BASE", "console_app", "mount_console"]
