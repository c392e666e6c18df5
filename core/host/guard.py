"""Calling a plugin's code so that nothing it does can take the host down with it.

* Any exception, ``BaseException`` included (``SystemExit`` from a plugin, a
  ``GeneratorExit`` misused), is the plugin's failure, reported and contained; only
  ``KeyboardInterrupt`` goes through, since it is the person at the keyboard asking to stop.
* A hook has a time limit (``SYNCDOCTOR_HOOK_TIMEOUT``, default 30 s; ``Host(hook_timeout=)``):
  the call runs in a daemon thread and the host stops waiting when the time is up. Python
  cannot kill a thread, so a hung hook is left running; the plugin is then marked hung and
  not called again by this host, so that hung threads do not pile up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..errors import PluginTimeout, SyncdoctorError, VendorError
from .plugins import FetchResult

__all__ = ["Guard", "contained", "guard_fetch"]


def contained(exc: BaseException) -> bool:
    """Whether an exception from plugin code is the plugin's failure (to report and contain)."""
    return not isinstance(exc, KeyboardInterrupt)


class Guard:
    """Runs plugin calls under the host's time limit; remembers the plugins that hung."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.hung: dict[str, str] = {}  # plugin -> the hook that hung
        self._lock = threading.Lock()

    def call(self, plugin: str, hook: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if plugin in self.hung:
            raise PluginTimeout(plugin, self.hung[plugin], self.timeout or 0, earlier=True)
        if not self.timeout:
            return fn(*args, **kwargs)
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as exc:  # carried to the caller's thread, judged there
                box["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=run, name=f"syncdoctor-{plugin}-{hook}", daemon=True)
        worker.start()
        if not done.wait(self.timeout):
            with self._lock:
                self.hung.setdefault(plugin, hook)
            raise PluginTimeout(plugin, hook, self.timeout)
        if "error" in box:
            raise box["error"]
        return box["value"]


def guard_fetch(result: Any, source: str) -> None:
    """Make a fetch's stream raise only syncdoctor errors: a plugin bug met while iterating
    (a TypeError on a vendor's odd field, a RecursionError) becomes a VendorError naming the
    source, which the command line shows as a message, never as a traceback."""
    if not isinstance(result, FetchResult):
        raise VendorError(source, f"the plugin answered fetch_transactions with a {type(result).__name__}, "
                          "not a syncdoctor.FetchResult")
    inner = result._items

    def guarded() -> Any:
        try:
            yield from inner
        except SyncdoctorError:
            raise
        except BaseException as exc:
            if not contained(exc) or isinstance(exc, GeneratorExit):
                raise
            raise VendorError(source, f"fetching stopped on an unexpected error in the plugin: "
                              f"{type(exc).__name__}: {str(exc)[:300]}") from exc

    result._items = guarded()
