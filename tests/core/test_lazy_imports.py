"""Start-up (issue 19): what a one-shot command imports before it needs it. httpx (~90 ms with
the rich, click and pygments its own command line pulls in), the service's stack and rich
load on first use only."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("httpx", "rich", "click", "pygments", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "jinja2")


def _loaded(code: str) -> list[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_command_line_and_the_package_import_nothing_heavy() -> None:
    assert _loaded("import syncdoctor.cli.main") == []
    assert _loaded("import syncdoctor") == []


def test_the_vendor_client_still_loads_on_first_use() -> None:
    assert "httpx" in _loaded("from syncdoctor import VendorClient, RetryPolicy\nassert VendorClient and RetryPolicy")
    assert "httpx" in _loaded("import syncdoctor\nassert syncdoctor.VendorClient.__name__ == 'VendorClient'")


def test_unknown_names_still_raise_attribute_error() -> None:
    import pytest

    import syncdoctor

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        syncdoctor.Nope  # noqa: B018


def test_building_the_parser_imports_no_service_stack() -> None:
    # serve's flags come from syncdoctor.service.settings on every command; the app (FastAPI,
    # SQLAlchemy, the ledger, the console) must load only when serve runs or create_app is asked
    heavy = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "jinja2"}
    assert heavy.isdisjoint(_loaded("from syncdoctor.cli.main import build_parser\nbuild_parser()"))
    assert "fastapi" in _loaded("from syncdoctor.service import create_app\nassert create_app")


def test_loading_the_bundled_plugins_imports_no_http_client() -> None:
    # every command loads the plugins; httpx (and the rich, click, pygments it pulls in) waits
    # for the first fetch or push
    loaded = _loaded("from syncdoctor import Host\nHost.from_entry_points()")
    assert {"httpx", "rich", "click", "pygments"}.isdisjoint(loaded), loaded


def test_commands_and_plugins_import_no_server_until_a_sandbox_or_demo_runs() -> None:
    # sandboxes, demos and tools are registered deferred (syncdoctor.deferred): http.server,
    # email and ssl (~20 ms) load when one is called; JUnit output's xml.sax likewise
    probe = ("import sys\nfrom syncdoctor import Host\nfrom syncdoctor.cli.main import build_parser\n"
             "build_parser()\nhost = Host.from_entry_points()\nassert len(host.plugins) == 4\n"
             "print([m for m in ('http.server', 'ssl', 'xml.sax') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    probe = ("import sys\nfrom syncdoctor import Host\nhost = Host.from_entry_points()\n"
             "server = host.sandboxes()['acd']()\nserver._server.server_close()\n"
             "print('http.server' in sys.modules, type(server).__name__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "SandboxServer"]


def test_deferred_imports_on_first_call_and_names_a_bad_target() -> None:
    import pytest

    from syncdoctor import deferred

    dumps = deferred("json:dumps")
    assert repr(dumps) == "deferred('json:dumps')" and dumps({"a": 1}) == '{"a": 1}'
    assert dumps.resolve() is json.dumps
    with pytest.raises(ValueError, match="'json.dumps' must be 'module:attribute'"):
        deferred("json.dumps")
    from syncdoctor.errors import SyncdoctorError

    missing = deferred("syncdoctor_no_such_module:run")
    with pytest.raises(SyncdoctorError, match="syncdoctor_no_such_module:run cannot be loaded .*ModuleNotFoundError"):
        missing()
    with pytest.raises(SyncdoctorError, match="json:nope cannot be loaded .*AttributeError"):
        deferred("json:nope")()
