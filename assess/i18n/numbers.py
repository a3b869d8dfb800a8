"""Numbers and dates as the reports show them, with Babel, in the chosen language.

Indonesian writes 72,5% and 1.234; English 72.5% and 1,234. Patterns are
parsed once (formatting a thousand reports calls these many thousand times).
A missing value (None, NaN) shows as an en dash.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import NumberPattern, parse_pattern

MISSING = "–"


@cache
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


class Numbers:
    """Formats for one language ("id" or "en")."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._done: dict[tuple[str, float], str] = {}  # reports repeat the same few values

    def _apply(self, pattern: str, x: float, digits: int) -> str:
        x = round(float(x), digits) + 0.0  # no "-0,0"
        key = (pattern, x)
        text = self._done.get(key)
        if text is None:
            text = self._done[key] = _pattern(pattern).apply(x, self.locale)
        return text

    def dec(self, x: float | None, digits: int = 1) -> str:
        """72,5 (id) / 72.5 (en)."""
        if _missing(x):
            return MISSING
        return self._apply("#,##0" + ("." + "0" * digits if digits else ""), x, digits)

    def count(self, n: int | float) -> str:
        return self.dec(n, 0)

    def pct(self, x: float | None, digits: int = 1) -> str:
        """A percentage given in 0..100: 72,5% (id) / 72.5% (en)."""
        if _missing(x):
            return MISSING
        return self._apply("#,##0" + ("." + "0" * digits if digits else "") + "%", x / 100, digits + 2)

    def signed(self, x: float | None, digits: int = 1) -> str:
        """+12,7 / -3,0 (and 0,0 with no sign)."""
        if _missing(x):
            return MISSING
        return ("+" if round(x, digits) > 0 else "") + self.dec(x, digits)

    def points(self, x: float | None) -> str:
        """Points with up to two decimals, trailing zeros dropped: 4 / 2,33."""
        if _missing(x):
            return MISSING
        return self._apply("#,##0.##", x, 2)

    def p_value(self, p: float | None) -> str:
        """ "p < 0,001" or "p = 0,023"."""
        if _missing(p):
            return MISSING
        if p < 0.001:
            return "p < " + self.dec(0.001, 3)
        return "p = " + self.dec(p, 3)

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
