"""The one formatter of numbers and dates a person reads, with Babel, in the chosen language.

Indonesian writes 72,5% and 1.234; English 72.5% and 1,234. Reports, paper,
marks, the web pages and the command line all format through here, so the
same value reads the same everywhere (JSON and CSV keep a decimal point and
do not come here). Patterns are parsed once (formatting a thousand reports
calls these many thousand times). A missing value (None, NaN) shows as an en
dash, or as what `numbers(missing=...)` asks for (the terminal's tables use "-").
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import NumberPattern, parse_pattern

from assess.i18n import current_language

MISSING = "–"
DONE_LIMIT = 10_000  # formatted values remembered per language


@cache
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def numbers(lang: str | None = None, missing: str = MISSING) -> Numbers:
    """The formatter of `lang` (default: the language in use now)."""
    return _numbers(lang or current_language(), missing)


@cache
def _numbers(lang: str, missing: str) -> Numbers:
    return Numbers(lang, missing)


def _upto(digits: int) -> str:
    return "." + "#" * digits if digits else ""


def _fixed(digits: int) -> str:
    return "." + "0" * digits if digits else ""


class Numbers:
    """Formats for one language ("id" or "en")."""

    def __init__(self, lang: str, missing: str = MISSING):
        self.lang = lang
        self.locale = Locale.parse(lang)
        self.missing = missing
        self._done: dict[tuple[str, float], str] = {}  # reports repeat the same few values

    def _apply(self, pattern: str, x: float, digits: int) -> str:
        x = round(float(x), digits) + 0.0  # no "-0,0"
        key = (pattern, x)
        text = self._done.get(key)
        if text is None:
            if len(self._done) > DONE_LIMIT:  # a long-running server must not grow without end
                self._done.clear()
            text = self._done[key] = _pattern(pattern).apply(x, self.locale)
        return text

    def dec(self, x: float | None, digits: int = 1) -> str:
        """72,5 (id) / 72.5 (en): always `digits` decimals."""
        if _missing(x):
            return self.missing
        return self._apply("#,##0" + _fixed(digits), x, digits)

    def upto(self, x: float | None, digits: int = 3) -> str:
        """Up to `digits` decimals, trailing zeros dropped: 4 / 2,333 (points, tolerances, shares)."""
        if _missing(x):
            return self.missing
        return self._apply("#,##0" + _upto(digits), x, digits)

    def count(self, n: int | float) -> str:
        return self.dec(n, 0)

    def pct(self, x: float | None, digits: int = 1) -> str:
        """A percentage given in 0..100: 72,5% (id) / 72.5% (en)."""
        if _missing(x):
            return self.missing
        return self._apply("#,##0" + _fixed(digits) + "%", x / 100, digits + 2)

    def pct_upto(self, x: float | None, digits: int = 3) -> str:
        """A percentage given in 0..100 with up to `digits` decimals: 5% / 2,5%."""
        if _missing(x):
            return self.missing
        return self._apply("#,##0" + _upto(digits) + "%", x / 100, digits + 2)

    def share(self, x: float | None, digits: int = 0) -> str:
        """A proportion (0..1) as a percentage: 0.72 -> 72%."""
        return self.missing if _missing(x) else self.pct(x * 100, digits)

    def signed(self, x: float | None, digits: int = 1) -> str:
        """+12,7 / -3,0 (and 0,0 with no sign)."""
        if _missing(x):
            return self.missing
        return ("+" if round(x, digits) > 0 else "") + self.dec(x, digits)

    def points(self, x: float | None) -> str:
        """Points with up to two decimals, trailing zeros dropped: 4 / 2,33."""
        return self.upto(x, 2)

    def interval(self, low: float | None, high: float | None, digits: int = 2) -> str:
        """[0.52, 1.48] (en) / [0,52; 1,48] (id): a semicolon where the comma is the decimal mark."""
        separator = "; " if self.locale.number_symbols["latn"]["decimal"] == "," else ", "
        return f"[{self.dec(low, digits)}{separator}{self.dec(high, digits)}]"

    def p(self, p: float | None) -> str:
        """A p-value in a table: "< 0,001" or "0,023"."""
        if _missing(p):
            return self.missing
        return "< " + self.dec(0.001, 3) if p < 0.001 else self.dec(p, 3)

    def p_is(self, p: float | None) -> str:
        """A p-value after a "p": "< 0,001" or "= 0,023"."""
        if _missing(p):
            return "= " + self.missing
        return "< " + self.dec(0.001, 3) if p < 0.001 else "= " + self.dec(p, 3)

    def p_value(self, p: float | None) -> str:
        """ "p < 0,001" or "p = 0,023"."""
        return self.missing if _missing(p) else "p " + self.p_is(p)

    def dates(self, days: list[dt.date]) -> str:
        """An event's dates: one day, or the span from the first to the last."""
        if not days:
            return ""
        first, last = min(days), max(days)
        if first == last:
            return format_date(first, "long", locale=self.locale)
        return format_interval(first, last, "yMMMMd", locale=self.locale)

    def moment(self, when: dt.datetime, time_zone: str) -> str:
        """A UTC moment in the event's time zone."""
        local = when.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(time_zone))
        return format_datetime(local, "medium", locale=self.locale)
