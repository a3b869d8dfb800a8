"""One number formatter for every number a person reads: reports, paper, marks and the command line."""

from __future__ import annotations

import math

import pytest

from assess.i18n.numbers import numbers


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", ["52,0", "1.234,5", "2,333", "4", "72,5%", "2,5%", "72%", "+12,7", "0,0", "[14,32; 20,08]"]),
        ("en", ["52.0", "1,234.5", "2.333", "4", "72.5%", "2.5%", "72%", "+12.7", "0.0", "[14.32, 20.08]"]),
    ],
)
def test_numbers_follow_the_language(lang, expected):
    n = numbers(lang)
    shown = [
        n.dec(52.0, 1),
        n.dec(1234.5, 1),
        n.upto(2.3333, 3),
        n.upto(4.0, 3),
        n.pct(72.5),
        n.pct_upto(2.5, 3),
        n.share(0.72),
        n.signed(12.66),
        n.signed(-0.04),  # no "-0,0" and no sign on zero
        n.interval(14.321, 20.08),
    ]
    assert shown == expected


def test_p_values_and_missing_values():
    n = numbers("id")
    assert (n.p(0.0004), n.p(0.0234)) == ("< 0,001", "0,023")
    assert (n.p_is(0.0004), n.p_is(0.0234)) == ("< 0,001", "= 0,023")
    assert n.p_value(0.0234) == "p = 0,023"
    assert {n.dec(None), n.dec(math.nan), n.pct(math.inf), n.share(None)} == {"–"}
    assert numbers("en", missing="-").dec(None) == "-"


def test_the_language_in_use_is_the_default(monkeypatch):
    from assess.i18n import set_language

    set_language("en")
    assert numbers().dec(0.5, 2) == "0.50"
    set_language("id")
    assert numbers().dec(0.5, 2) == "0,50"
