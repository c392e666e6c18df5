"""The pytest plugin: cheap to import, registered with pytest, and its two fixtures."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import httpx
import pytest

from syncdoctor import Faults
from syncdoctor.testing._fixtures import HostFactory, SandboxFactory

from .kit_plugins import GoodPlugin, InvalidPackPlugin


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entry points as if the kit's plugins were installed (and one that does not import)."""
    fake = [
        metadata.EntryPoint(name="kitgood", value="tests.kit.kit_plugins:good", group="syncdoctor"),
        metadata.EntryPoint(name="kitbroken", value="tests.kit.kit_plugins:broken", group="syncdoctor"),
        metadata.EntryPoint(name="kitmissing", value="tests.kit.no_such_module:plugin", group="syncdoctor"),
    ]
    monkeypatch.setattr("syncdoctor.host.loading.metadata.entry_points", lambda group=None: fake if group == "syncdoctor" else [])


def test_importing_the_kit_is_cheap_and_loads_no_plugin() -> None:
    code = ("import sys, syncdoctor.testing\n"
            "heavy = [m for m in sys.modules if m.startswith(('syncdoctor_', 'hypothesis', 'pytest', '_pytest', "
            "'durable', 'syncdoctor.testing.'))]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_registered_with_pytest_through_its_entry_point(pytestconfig: pytest.Config) -> None:
    targets = {ep.name: ep.value for ep in metadata.entry_points(group="pytest11")}
    assert targets.get("syncdoctor") == "syncdoctor.testing"
    assert pytestconfig.pluginmanager.has_plugin("syncdoctor.testing.fixtures")


def test_host_has_only_the_plugins_named(syncdoctor_host: HostFactory, installed: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_PLUGINS", "kitbroken")  # the names given win over the environment
    host = syncdoctor_host("kitgood")
    assert list(host.plugins) == ["kitgood"]
    assert host.broken == []
    assert host.engine.name == "native"


def test_host_from_plugin_objects_and_names_together(syncdoctor_host: HostFactory, installed: None) -> None:
    host = syncdoctor_host("kitbroken", GoodPlugin())
    assert sorted(host.plugins) == ["kitbroken", "kitgood"]


def test_host_without_plugins_has_only_the_core(syncdoctor_host: HostFactory) -> None:
    host = syncdoctor_host()
    assert host.plugins == {}
    assert {cp.plugin for cp in host.catalog.problems.values()} == {"core"}


def test_a_plugin_that_does_not_load_fails_the_test_with_the_reason(syncdoctor_host: HostFactory,
                                                                   installed: None) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"kitinvalid: invalid rule pack: .*invalid\.yaml:11"):
        syncdoctor_host(InvalidPackPlugin())
    with pytest.raises(pytest.fail.Exception, match=r"kitmissing: import failed: ModuleNotFoundError"):
        syncdoctor_host("kitmissing")
    with pytest.raises(pytest.fail.Exception, match=r"no plugin named nowhere was loaded|nowhere: not installed"):
        syncdoctor_host("nowhere")
    lenient = syncdoctor_host(InvalidPackPlugin(), strict=False)
    assert [b.name for b in lenient.broken] == ["kitinvalid"]


def test_durable_host_or_a_clear_skip(syncdoctor_host: HostFactory) -> None:
    host = syncdoctor_host(GoodPlugin(), engine="durable")  # skipped where durable_rules cannot run
    assert host.engine.name == "durable"
    [diag] = host.classify("The account XAARO does not exist", vendor="kitgood")
    assert diag.problem == "kitgood.bad_prefix"


def test_host_factory_closes_engines() -> None:
    factory = HostFactory()
    host = factory(GoodPlugin())
    closed: list[bool] = []
    host.engine.close = lambda: closed.append(True)  # type: ignore[method-assign]
    factory.close()
    assert closed == [True]


def test_sandbox_runs_on_a_free_loopback_port(syncdoctor_sandbox: SandboxFactory, syncdoctor_host: HostFactory) -> None:
    host = syncdoctor_host(GoodPlugin())
    one = syncdoctor_sandbox("kitgood", host=host)
    two = syncdoctor_sandbox("kitgood.ledger", host=host)
    assert one.url.startswith("http://127.0.0.1:") and one.url != two.url
    body = httpx.get(one.url + "/entries", params={"page": 1}).json()
    assert [e["id"] for e in body["entries"]] == ["e1", "e2"] and body["next_page"] == 2


def test_sandbox_by_plugin_name_with_fast_faults(syncdoctor_sandbox: SandboxFactory, installed: None) -> None:
    server = syncdoctor_sandbox("kitgood.ledger", faults="429,duplicate-page")
    assert server.faults.retry_after == 0 and server.faults.duplicate_page
    statuses = [httpx.get(server.url + "/entries", params={"page": p}).status_code for p in (1, 2, 2, 3)]
    assert 429 in statuses
    page2 = httpx.get(server.url + "/entries", params={"page": 2}).json()
    assert [e["id"] for e in page2["entries"]] == ["e1", "e2", "e3"]  # the previous page served again


def test_sandbox_faults_object_keeps_its_timings(syncdoctor_sandbox: SandboxFactory, syncdoctor_host: HostFactory) -> None:
    server = syncdoctor_sandbox("kitgood", Faults("500", every=1, retry_after=7), host=syncdoctor_host(GoodPlugin()))
    assert (server.faults.every, server.faults.retry_after) == (1, 7)
    assert httpx.get(server.url + "/entries").status_code == 500


def test_unknown_sandbox_lists_what_there_is(syncdoctor_sandbox: SandboxFactory, syncdoctor_host: HostFactory) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"no sandbox named 'nope'; the loaded plugins ship: kitgood, kitgood.ledger"):
        syncdoctor_sandbox("nope", host=syncdoctor_host(GoodPlugin()))


def test_sandboxes_stop_when_the_factory_closes(syncdoctor_host: HostFactory) -> None:
    factory = SandboxFactory()
    server = factory("kitgood", host=syncdoctor_host(GoodPlugin()))
    assert httpx.get(server.url + "/entries").status_code == 200
    factory.close()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/entries", timeout=2)




def test_a_sandbox_not_named_after_its_plugin_asks_for_plugin(syncdoctor_sandbox: SandboxFactory, installed: None) -> None:
    with pytest.raises(pytest.fail.Exception, match="pass plugin= when a sandbox is not named after its plugin"):
        syncdoctor_sandbox("ledger")
    assert syncdoctor_sandbox("kitgood.ledger", plugin="kitgood").url


def test_public_names_are_sorted_and_resolve() -> None:
    import syncdoctor.testing as kit
    from syncdoctor.testing import strategies

    for module in (kit, strategies):
        assert module.__all__ == sorted(module.__all__, key=str.casefold)
        assert all(getattr(module, name) is not None for name in module.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kit.nothing  # noqa: B018
