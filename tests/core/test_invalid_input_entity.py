"""A bad entity's ``core.invalid_input`` finding names the entity as its result line does: its
id, else its index (design section 8), never the index beside the id."""

from __future__ import annotations

import pytest

from syncdoctor import Host
from syncdoctor.errors import InputError
from syncdoctor.host.batches import EntityResult, invalid_input

from .sample_plugin import Sample


@pytest.mark.parametrize(("record", "entity"), [
    ({"kind": "invoice", "id": "i1", "doc_number": 1781}, "i1"),  # a field of the wrong type
    ({"kind": "journal_entry", "id": "e1", "lines": "none"}, "e1"),
    ({"kind": "invoice", "doc_number": 1781}, 1),  # no id: its index
    ({"kind": "nope", "id": "x1"}, "x1"),  # an unknown kind, with an id
    ("not an object", 1),
])
def test_the_finding_names_the_entity_as_its_line_does(record: object, entity: str | int) -> None:
    host = Host([Sample()])
    good = {"kind": "invoice", "id": "i0", "doc_number": "1"}
    results = list(host.validate_many([good, record]))
    line = results[1].to_json()
    assert line["entity"] == entity
    assert [(f["problem"], f["entity"]) for f in line["findings"]] == [("core.invalid_input", entity)]
    assert line["findings"][0]["params"]["record"] == 1  # the index stays in the params


def test_a_result_aligns_an_invalid_input_finding_made_with_the_index() -> None:
    finding = invalid_input(InputError(4, "total", "not a decimal amount"), 4)
    assert finding.entity == 4
    result = EntityResult("inv-9", [finding])
    assert result.findings[0].entity == "inv-9" and result.findings[0].params == {"record": 4, "field": "total"}
