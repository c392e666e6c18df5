from __future__ import annotations

import pytest

from syncdoctor import Host

from .sample_plugin import Sample


@pytest.fixture(params=["native", "durable"])
def engine_name(request: pytest.FixtureRequest) -> str:
    if request.param == "durable":
        from syncdoctor.engines.durable import durable_available

        ok, why = durable_available()
        if not ok:
            pytest.skip(f"durable_rules unavailable: {why}")
    return str(request.param)


@pytest.fixture
def sample_host(engine_name: str) -> Host:
    return Host([Sample()], engine=engine_name)


@pytest.fixture
def native_host() -> Host:
    return Host([Sample()])
