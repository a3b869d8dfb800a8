"""What the project writes, it reads back identically: item -> YAML -> load -> equal."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from assess.bank.documents import Bank
from assess.bank.loader import load_file
from assess.bank.model import ITEM_TYPES
from assess.bank.yamlio import dump
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
