"""The qonto context model: every field optional and documented, read by the host and the mapping."""

from __future__ import annotations

import pytest
from qonto_support import host as make_host

from syncdoctor import ContextError
from syncdoctor_qonto.context import ATTACHMENT_LIMIT_BYTES, QontoContext
from syncdoctor_qonto.mapping import settings_from


def test_every_field_is_optional_and_documented():
    QontoContext()  # nothing required
    for name, field in QontoContext.model_fields.items():
        assert not field.is_required(), name
        assert field.description, name


def test_the_attachment_limit_is_30_mib():
    assert ATTACHMENT_LIMIT_BYTES == 31_457_280


def test_the_host_validates_the_qonto_part_of_the_context():
    host = make_host()
    parsed = host.parse_context({"qonto": {"max_attachment_bytes": 1000, "bank_journal": "BQ2"}})
    assert isinstance(parsed["qonto"], host.context_models["qonto"]) and parsed["qonto"].bank_journal == "BQ2"
    assert host.context_models["qonto"].__name__ == "QontoContext"
    with pytest.raises(ContextError, match="qonto.max_attachment_bytes"):
        host.parse_context({"qonto": {"max_attachment_bytes": 0}})
    with pytest.raises(ContextError, match="qonto.bank_jornal"):
        host.parse_context({"qonto": {"bank_jornal": "BQ2"}})


def test_a_lower_limit_from_the_context_applies():
    host = make_host()
    entity = {"kind": "journal_entry", "attachments": [{"filename": "f.pdf", "size": 20 * 1024 * 1024}]}
    assert host.validate(entity) == []
    found = host.validate(entity, {"qonto": {"max_attachment_bytes": 15 * 1024 * 1024}})
    assert [(f.problem, f.params["limit_mb"]) for f in found] == [("qonto.attachment_too_large", "15.0")]


def test_mapping_settings_are_the_context_model():
    conf = settings_from({"bank_journal": "BQ2", "bank_accounts": {"FR76": {"treasury_account": "51210000"}},
                          "not_ours": 1})
    assert conf.bank_journal == "BQ2" and conf.bank_accounts["FR76"].treasury_account == "51210000"
    assert settings_from(conf) is conf
    assert settings_from(None) == QontoContext()
