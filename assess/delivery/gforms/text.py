"""Text of Google Forms exports (pure): titles and options compared as plain text, checkbox
cells, timestamps in the sheet's locale, and the export's own scores."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence

from assess.bank.model import ItemBase
from assess.responses import ResponseError, parse_number

# -- text ---------------------------------------------------------------------------


def plain(text: str) -> str:
    """Text compared without case, Markdown emphasis, links or extra white space."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # [text](url)
    s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", s)  # Markdown escapes
    s = re.sub(r"(\*+|`+|(?<!\w)_+|_+(?!\w))", "", s)
    return " ".join(s.casefold().split())


def texts(item: ItemBase, name: str) -> dict[str, str]:
    """plain(text) -> id for the options, prompts or choices of `item`, translations included."""
    out: dict[str, str] = {}
    for o in getattr(item, name, []):
        out.setdefault(plain(o.text), o.id)
    for tr in item.translations.values():
        for oid, text in getattr(tr, name).items():
            out.setdefault(plain(text), oid)
    return out


def stems(item: ItemBase) -> set[str]:
    """The stem, its first paragraph, and the same of every translation, as plain text."""
    out = set()
    for stem in [item.stem] + [t.stem for t in item.translations.values() if t.stem]:
        out.add(plain(stem))
        out.add(plain(re.split(r"\n\s*\n", stem.strip(), maxsplit=1)[0]))
    return out


def split_choices(text: str, options: Mapping[str, str]) -> tuple[list[str], str | None]:
    """A checkbox cell's chosen option ids, the known texts tried longest first, and the first
    piece that is no option (None when the whole cell was matched)."""
    s = plain(text)
    known = sorted(options, key=len, reverse=True)
    memo: dict[int, list[str] | None] = {}

    def parse(pos: int) -> list[str] | None:
        if pos in memo:
            return memo[pos]
        memo[pos] = None
        for t in known:
            if not t or not s.startswith(t, pos):
                continue
            end = pos + len(t)
            if end == len(s):
                memo[pos] = [options[t]]
                break
            sep = re.match(r",\s*", s[end:])
            if sep:
                rest = parse(end + sep.end())
                if rest is not None:
                    memo[pos] = [options[t], *rest]
                    break
        return memo[pos]

    ids = parse(0) if s else []
    if ids is not None:
        return ids, None
    pos = 0  # the first piece that no option explains, for the message
    while True:
        hit = next((t for t in known if t and s.startswith(t, pos)), None)
        sep = re.compile(r",\s*").search(s, pos + len(hit)) if hit else None
        if hit is None or sep is None:
            nxt = s.find(", ", pos)
            return [], s[pos:] if hit is None or nxt < 0 else s[pos:nxt]
        pos = sep.end()


# -- timestamps and scores ---------------------------------------------------------

_YMD = re.compile(
    r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?\s*(.*)"
)
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ ,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(.*)")
_TAIL = re.compile(r"(?:(am|pm|a\.m\.|p\.m\.)\s*)?(?:(?:gmt|utc)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?")


def day_first(values: Sequence[str], indonesian: bool) -> bool:
    """Whether the export's d/m/y-or-m/d/y dates put the day first: from a part above 12 when
    one exists, else a time written with points (10.15.00), else the headers' language."""
    pairs = [(int(m.group(1)), int(m.group(2))) for v in values if (m := _DMY.fullmatch(v.strip()))]
    if any(a > 12 for a, _ in pairs):
        return True
    if any(b > 12 for _, b in pairs):
        return False
    if any(re.search(r"\d[.]\d{2}[.]\d{2}", v) for v in values):
        return True
    return indonesian


def parse_timestamp(text: str, dayfirst: bool, time_zone: str) -> dt.datetime | None:
    """A Timestamp cell as naive UTC, or None when it cannot be read."""
    s = text.strip()
    m = _YMD.fullmatch(s)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY.fullmatch(s)
        if not m:
            return None
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if dayfirst else (b, a)
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    tail = _TAIL.fullmatch(m.group(7).strip().casefold())
    if tail is None:
        return None
    if tail.group(1):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if tail.group(1).startswith("p") else 0)
    try:
        local = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if tail.group(2):
        offset = dt.timedelta(hours=int(tail.group(3)), minutes=int(tail.group(4) or 0))
        aware = local.replace(tzinfo=dt.timezone(offset if tail.group(2) == "+" else -offset))
    else:
        aware = local.replace(tzinfo=zoneinfo.ZoneInfo(time_zone))
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def parse_score(text: str) -> float | None:
    """A Score cell such as "28.00 / 30" as a percentage, or None."""
    m = re.fullmatch(r"\s*([\d.,]+)\s*/\s*([\d.,]+)\s*", text)
    if not m:
        return None
    try:
        got, of = parse_number(m.group(1)), parse_number(m.group(2))
    except ResponseError:
        return None
    return 100 * got / of if of > 0 else None
