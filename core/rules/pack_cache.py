"""Parsed rule packs cached by content, so that a one-shot command does not parse YAML again.

Parsing the bundled packs' YAML was ~70 ms of every command's start-up; loading the same data
from a pickle takes ~3 ms. The cache holds the parsed YAML data (dicts, lists, Decimals, dates)
and what the loader derives from the text alone (its expanded size), never models: the packs
are still validated and compiled by the code that runs, so a change of the schema cannot meet
stale objects.

- Keyed by content: the SHA-256 of the YAML text and of :data:`FORMAT` (bumped whenever the
  loader would build different data from the same text). Never by time: an edited pack has
  another key; an old entry is merely unused.
- Where: ``$SYNCDOCTOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/syncdoctor/packs``, else
  ``~/.cache/syncdoctor/packs``; ``SYNCDOCTOR_CACHE_DIR=off`` (or empty) turns it off.
- Safe when the folder cannot be written (the pack is parsed as without a cache), when
  several processes write the same entry (each writes a file of its own, then renames it over
  the entry: readers see a whole file or none), and when an entry is damaged (it is parsed
  again and rewritten). The folder is created private (0700); like ``__pycache__``, whoever can
  write the user's cache folder could run code in their processes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "cache_dir", "cached_parse"]

FORMAT = "syncdoctor-pack-data-2"
"""Part of every key: bump it when the YAML loader changes what it builds from a text."""

_MAGIC = b"sdpack1\n"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    explicit = os.environ.get("SYNCDOCTOR_CACHE_DIR")
    if explicit is not None:
        return None if explicit.strip().lower() in ("", "off", "0", "none") else Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "syncdoctor" / "packs"


def _key(text: str) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cached_parse(text: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, from the cache when an entry for this exact text exists; a parse that
    raises is never cached (the error is raised again, with its line, on every load)."""
    folder = cache_dir()
    if folder is None:
        return parse(text)
    key = _key(text)
    entry = folder / f"{key}.pickle"
    try:
        blob = entry.read_bytes()
    except OSError:
        blob = b""
    if blob.startswith(_MAGIC):
        try:
            stored_key, data = pickle.loads(blob[len(_MAGIC):])  # noqa: S301 - the user's own cache (see above)
            if stored_key == key:
                return data
        except Exception:  # noqa: BLE001 - a damaged entry is parsed again and rewritten
            pass
    data = parse(text)
    _store(folder, entry, key, data)
    return data


def _store(folder: Path, entry: Path, key: str, data: Any) -> None:
    try:
        blob = _MAGIC + pickle.dumps((key, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - data pickle cannot write is simply not cached
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=folder)
    except OSError:  # read-only home, no space, a file where the folder should be: no cache
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, entry)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
