"""`syncdoctor serve` and `syncdoctor keys` as a user runs them; settings from file, env, flags."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from syncdoctor.service import SettingsError, load_settings
from syncdoctor.service.settings import settings_table

from .conftest import create_key, free_port, start_server, stop_server, syncdoctor_command, wait_ready

ROOT = Path(__file__).resolve().parents[2]


def test_settings_layers_file_then_env_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "syncdoctor.toml"
    config.write_text('[serve]\nport = 9000\nmax-batch = 5\nlang = "fr"\nplugins = ["acd"]\n')
    env = {"SYNCDOCTOR_MAX_BATCH": "7", "SYNCDOCTOR_DB": "sqlite:///env.db", "SYNCDOCTOR_STRICT": "yes"}
    s = load_settings(config, env, {"max_batch": 9, "port": None})
    assert (s.port, s.max_batch, s.lang, s.db, s.strict, s.plugins) == (9000, 9, "fr", "sqlite:///env.db", True,
                                                                        ["acd"])
    assert load_settings(config, env).max_batch == 7
    assert load_settings(None, {"SYNCDOCTOR_CONFIG": str(config)}).max_batch == 5


def test_bad_settings_name_the_setting_and_where(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"max_batch \(SYNCDOCTOR_MAX_BATCH\) from the environment"):
        load_settings(None, {"SYNCDOCTOR_MAX_BATCH": "many"})
    bad = tmp_path / "bad.toml"
    bad.write_text("port = [")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(bad, {})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match="colour"):
        load_settings(unknown, {})


def test_settings_table_in_the_docs_is_the_models() -> None:
    doc = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
    assert settings_table() in doc, "docs/service.md's settings table is stale: paste settings_table()"


def test_insecure_no_auth_is_refused_off_loopback(tmp_path: Path) -> None:
    out = subprocess.run(syncdoctor_command("serve", "--host", "0.0.0.0", "--insecure-no-auth", "--port",
                                            str(free_port()), "--db", f"sqlite:///{tmp_path / 'x.db'}"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "not a loopback address" in out.stderr and "Traceback" not in out.stderr


def test_insecure_no_auth_on_loopback_warns_and_answers(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--insecure-no-auth", keys=False)
    try:
        r = httpx.get(srv.url + "/v1/problems")
        keys = httpx.get(srv.url + "/v1/keys")
        assert r.status_code == 200 and keys.status_code == 200
        assert "WARNING: --insecure-no-auth" in srv.logs() and "INSECURE" in srv.logs()
    finally:
        stop_server(srv)


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--auth-cache-seconds", "0", keys=False)
    try:
        key = create_key(srv.db, "firm-42", "read")
        assert re.fullmatch(r"sdk_[a-z0-9]+_[A-Za-z0-9_-]+", key)
        key_id = key.split("_")[1]
        listed = subprocess.run(syncdoctor_command("keys", "list", "--json", "--db", srv.db),
                                capture_output=True, text=True, timeout=60)
        assert key_id in listed.stdout and key not in listed.stdout and "firm-42" in listed.stdout
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(srv.url + "/v1/plugins", headers=headers).status_code == 200
        revoked = subprocess.run(syncdoctor_command("keys", "revoke", key_id, "--db", srv.db),
                                 capture_output=True, text=True, timeout=60)
        assert revoked.returncode == 0
        assert httpx.get(srv.url + "/v1/plugins", headers=headers).status_code == 401
        again = subprocess.run(syncdoctor_command("keys", "revoke", key_id, "--db", srv.db),
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 1 and "no active key" in again.stderr
        bad_role = subprocess.run(syncdoctor_command("keys", "create", "--tenant", "t", "--role", "root", "--db",
                                                     srv.db), capture_output=True, text=True, timeout=60)
        assert bad_role.returncode == 2 and bad_role.stdout == ""
    finally:
        stop_server(srv)


def test_two_workers_from_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text("[serve]\nworkers = 2\nmax_batch = 3\n")
    srv = start_server(tmp_path, "--config", str(config), "--auth-cache-seconds", "0")
    try:
        headers = {"content-type": "application/x-ndjson", "Authorization": f"Bearer {srv.key()}"}
        for _ in range(30):  # a new connection each: either worker may accept it
            body = httpx.post(srv.url + "/v1/classify", content=b'{"message": "x"}\n' * 4, headers=headers)
            assert body.status_code == 422  # max_batch 3 reached every worker through the environment
        access = [json.loads(line) for line in srv.logs().splitlines() if '"syncdoctor.access"' in line]
        assert len({e["pid"] for e in access if e["route"] == "/v1/classify"}) == 2, "both workers answer"
        assert "CONSOLE_SECRET" not in srv.logs(), "serve gives its workers one console secret"
        time.sleep(1.5)  # each worker shares its counts every second
        for _ in range(4):  # whichever worker answers, the totals are the server's
            text = httpx.get(srv.url + "/metrics").text
            assert 'syncdoctor_http_requests_total{method="POST",route="/v1/classify",status="422"} 30' in text
    finally:
        stop_server(srv)


def test_start_up_to_ready_is_quick(tmp_path: Path) -> None:
    srv = start_server(tmp_path, keys=False, wait=False)
    try:
        took = wait_ready(srv)
        assert took < 10  # the 1 s target is measured by bench/bench_service.py, not timed here
    finally:
        stop_server(srv)


def test_insecure_no_auth_embedded_answers_loopback_only(tmp_path: Path) -> None:
    """Mounted in someone else's server, the app still refuses keyless calls that did not arrive
    on a loopback address (TestClient's requests arrive on "testserver")."""
    from fastapi.testclient import TestClient

    from syncdoctor.service import Settings, create_app

    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'e.db'}", insecure_no_auth=True, webhooks_deliver=False))
    with TestClient(app) as client:
        r = client.get("/v1/plugins")
    assert r.status_code == 401 and "loopback" in r.json()["detail"]
    with pytest.raises(SettingsError, match="loopback"):
        create_app(Settings(host="0.0.0.0", insecure_no_auth=True))


@pytest.mark.parametrize("strict", [False, True])
def test_a_broken_plugin_is_listed_and_fails_readiness_only_when_strict(tmp_path: Path, strict: bool) -> None:
    # an allow-listed plugin that is not installed is a broken plugin, with its reason
    flags = ["--plugins", "acd,nosuchplugin", *(["--strict"] if strict else [])]
    srv = start_server(tmp_path, *flags, keys=False, wait=False)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(srv.url + "/readyz")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert ready.status_code == (503 if strict else 200), ready.text
        assert "nosuchplugin" in ready.json()["checks"]["plugins"]["detail"]
        key = create_key(srv.db, "acme", "read")
        plugins = httpx.get(srv.url + "/v1/plugins", headers={"Authorization": f"Bearer {key}"}).json()["items"]
        assert {p["name"]: p["status"] for p in plugins} == {"acd": "loaded", "nosuchplugin": "broken"}
        assert "not installed" in next(p["reason"] for p in plugins if p["status"] == "broken")
    finally:
        stop_server(srv)
