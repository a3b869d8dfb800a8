"""What the project writes, it reads back identically: item -> YAML -> load -> equal."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from assess.bank.documents import Bank
from assess.bank.loader import load_file
from assess.bank.model import ITEM_TYPES
from assess.bank.yamlio import compose
from assess.bank.yamlwrite import dump
from tests.strategies import banks, item_data


def bank_yaml(bank: Bank) -> str:
    return dump(bank.model_dump(mode="json", exclude_none=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("type_", sorted(ITEM_TYPES))
@given(data=__import__("hypothesis").strategies.data())
def test_every_item_type_round_trips(tmp_path, type_, data):
    item = data.draw(item_data(type_))
    bank = Bank.model_validate({"kind": "bank", "id": "b", "title": "t", "items": [item]})
    path = tmp_path / "bank.yaml"
    path.write_text(bank_yaml(bank), encoding="utf-8")
    assert load_file(path).document == bank


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bank=banks())
def test_whole_banks_round_trip(tmp_path, bank):
    path = tmp_path / "bank.yaml"
    path.write_text(bank_yaml(bank), encoding="utf-8")
    assert load_file(path).document == bank


def _shape(value):
    if isinstance(value, dict):
        return {"map": [(_shape(k), _shape(v)) for k, v in value.items()]}
    if isinstance(value, list):
        return {"seq": [_shape(v) for v in value]}
    return "scalar"


def _node_shape(node):
    if isinstance(node, __import__("yaml").MappingNode):
        return {"map": [(_node_shape(k), _node_shape(v)) for k, v in node.value]}
    if isinstance(node, __import__("yaml").SequenceNode):
        return {"seq": [_node_shape(v) for v in node.value]}
    return "scalar"


@settings(max_examples=60, deadline=None)
@given(bank=banks())
def test_what_is_written_is_composed_by_pyyaml_in_the_same_shape(bank):
    """Errors are located on PyYAML's node tree (YAML 1.1): it must have the data's shape, and
    text of several lines is written as a literal block wherever a block can hold it."""
    data = bank.model_dump(mode="json", exclude_none=True)
    text = dump(data)
    assert _node_shape(compose(text)) == _shape(data)
    for item in data["items"]:
        if "\n" in item["stem"] and item["stem"].strip("\n") == item["stem"].rstrip("\n"):
            lines = item["stem"].rstrip("\n").split("\n")
            if all(line == line.rstrip(" ") and line.isprintable() for line in lines) and lines[0][:1] != " ":
                assert "stem: |" in text
