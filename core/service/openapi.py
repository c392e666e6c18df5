"""The OpenAPI document of the service, checked in as ``docs/openapi.json``.

    python -m syncdoctor.service.openapi            # print it
    python -m syncdoctor.service.openapi --write    # rewrite docs/openapi.json (run from the repo)
    python -m syncdoctor.service.openapi --check    # exit 1 when docs/openapi.json is stale

tests/service/test_openapi.py fails when the checked-in document differs from the app's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["document", "main", "render"]

DEFAULT_PATH = Path("docs/openapi.json")


def document() -> dict[str, Any]:
    from .app import create_app
    from .settings import Settings

    # the document does not depend on settings or plugins: build it without starting anything
    return create_app(Settings(db="sqlite:///:memory:")).openapi()


def render(doc: dict[str, Any] | None = None) -> str:
    return json.dumps(doc or document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m syncdoctor.service.openapi")
    parser.add_argument("--write", action="store_true", help="write the document to PATH")
    parser.add_argument("--check", action="store_true", help="exit 1 when PATH differs from the app's document")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.path.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {args.path}\n")
    elif args.check:
        if not args.path.exists() or args.path.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{args.path} is stale: run python -m syncdoctor.service.openapi --write\n")
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
