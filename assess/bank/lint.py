"""Item-writing lint: the classic flaws that make items measure badly (pure: no I/O).

Each finding has a code and a place (bank, item index, field path) so the
caller can locate it in the file like a validation error. A finding on an
item is silenced only by that item's `lint_ignore` entry with the same code
(and a written reason); silenced findings are kept and counted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from assess.bank.documents import Bank, Source
from assess.bank.model import (
    ItemBase,
    MultipleResponse,
    Option,
    Ordering,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)

# Thresholds, named so the docs and tests can refer to them.
KEY_LONGER_RATIO = 1.25  # key at least this many times longer than the longest distractor
KEY_POSITION_MIN_ITEMS = 8  # the key-position check needs this many single-choice items
KEY_POSITION_MAX_SHARE = 0.40  # share of keys one position may hold
NEAR_DUPLICATE_SIMILARITY = 0.8  # Jaccard similarity of the stems' word triples
OPTION_LONGER_RATIO = 1.5  # an option this many times the mean length of the others stands out...
OPTION_LONGER_MIN_CHARS = 15  # ...when it is also this many characters longer (short options vary)

CODES = (
    "LINT-ALL-NONE-OF-THE-ABOVE",
    "LINT-KEY-LONGEST",
    "LINT-KEY-POSITION",
    "LINT-NEGATIVE-STEM",
    "LINT-KEY-ECHOES-STEM",
    "LINT-OPTION-RESTATES-STEM",
    "LINT-NEAR-DUPLICATE",
    "LINT-NO-EXPLANATION",
    "LINT-NO-SOURCE",
    "LINT-LAW-UNQUOTED",
    "LINT-IGNORE-UNKNOWN-CODE",
    "LINT-ORDERING-TOO-SHORT",
    "LINT-TRUE-FALSE-ABSOLUTE",
    "LINT-OPTION-LONGEST",
)

_ALL_NONE = re.compile(
    r"\b(semua|seluruh)\s+(jawaban|pilihan|pernyataan|opsi)?\s*(di\s+atas\s+)?(benar|salah)\b"
    r"|\bsemua\s+(jawaban|pilihan|pernyataan)?\s*di\s+atas\b"
    r"|\btidak\s+ada\s+(jawaban\s+|pilihan\s+)?yang\s+benar\b"
    r"|\b(all|none)\s+of\s+the\s+above\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(r"\b(tidak|bukan|kecuali|not|except)\b")  # lower case only: unemphasised
# Absolutes make a true/false statement easy to guess false ("hanya", "selalu"...).
_ABSOLUTE = re.compile(
    r"\b(hanya|selalu|tidak pernah|semua|pasti|mutlak|sama sekali|satu-satunya|tanpa kecuali"
    r"|only|always|never|all|every)\b",
    re.IGNORECASE,
)
# A stem, option or explanation that names a law makes a "law item".
LAW_MENTION = re.compile(r"\b(UU|Undang-Undang|PP|Peraturan Pemerintah|Perpres|Permen\w*|Perda|Pasal)\b")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
STOPWORDS = frozenset(
    """yang dan atau dari dalam untuk dengan pada oleh adalah ini itu akan tidak bukan juga sebagai
    kepada karena agar bila jika maka telah sudah harus dapat bisa lebih para setiap sesuai tentang
    menurut antara hanya masih belum saat oleh apa siapa mana manakah bagaimana mengapa berapa
    anda kita kami mereka the and for with that this from which what who whom into under their
    have been must shall should would""".split()
)


@dataclass(frozen=True)
class Finding:
    code: str
    bank: str  # bank id
    item: int | None  # index in bank.items; None for the bank as a whole
    path: tuple = ()  # within the item (or bank)
    params: dict[str, Any] = field(default_factory=dict)
    silenced: bool = False


def _times(x: float) -> str:
    """A ratio with one decimal in the message language (1,8)."""
    from assess.i18n.numbers import numbers

    return numbers().dec(x, 1)


def _share(x: float) -> str:
    """A share as a percentage in the message language (72%)."""
    from assess.i18n.numbers import numbers  # here: `assess --version` need not load Babel's numbers

    return numbers().share(x)


def content_words(text: str) -> set[str]:
    return {w for w in (m.casefold() for m in _WORD.findall(text)) if len(w) >= 4 and w not in STOPWORDS}


def _last_sentence(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p.strip()]
    return parts[-1] if parts else text


def _choice_options(item: ItemBase) -> list[Option]:
    if isinstance(item, SingleChoice | MultipleResponse | WeightedOptions):
        return list(item.options)
    return []


def _key_ids(item: ItemBase) -> set[str]:
    if isinstance(item, SingleChoice):
        return {item.key}
    if isinstance(item, MultipleResponse):
        return set(item.key)
    return set()


def item_findings(item: ItemBase, sources: dict[str, Source]) -> Iterable[tuple[str, tuple, dict]]:
    """(code, path, params) for every flaw of one item, silenced or not."""
    options = _choice_options(item)
    keys = _key_ids(item)
    yield from _wording_findings(item, options)
    yield from _stem_echo_findings(item, options, keys)
    yield from _completeness_findings(item, sources)


def _wording_findings(item: ItemBase, options: list[Option]) -> Iterable[tuple[str, tuple, dict]]:
    """ "All/none of the above" options, a key longer than every distractor, a negative question."""
    for i, option in enumerate(options):
        if _ALL_NONE.search(option.text):
            yield "LINT-ALL-NONE-OF-THE-ABOVE", ("options", i, "text"), {"text": option.text}
    key_longest = None
    if isinstance(item, SingleChoice):
        i = next(n for n, o in enumerate(options) if o.id == item.key)
        longest_other = max(len(o.text) for o in options if o.id != item.key)
        if len(options[i].text) >= KEY_LONGER_RATIO * longest_other:
            key_longest = i
            yield "LINT-KEY-LONGEST", ("options", i, "text"), {"key": item.key}
    for i, option in enumerate(options):
        others = [len(o.text) for o in options if o is not option]
        mean = sum(others) / len(others) if others else 0.0
        size = len(option.text)
        if i != key_longest and size > OPTION_LONGER_RATIO * mean and size - mean >= OPTION_LONGER_MIN_CHARS:
            yield (
                "LINT-OPTION-LONGEST",
                ("options", i, "text"),
                {"id": option.id, "times": _times(size / mean)},
            )
    if isinstance(item, TrueFalse):
        for path, stem in (
            (("stem",), item.stem),
            *((("translations", k, "stem"), t.stem) for k, t in item.translations.items() if t.stem),
        ):
            m = _ABSOLUTE.search(stem)
            if m:
                yield "LINT-TRUE-FALSE-ABSOLUTE", path, {"word": m.group(1)}
                break
    if isinstance(item, SingleChoice | MultipleResponse | TrueFalse):
        question = _last_sentence(item.stem)
        m = _NEGATIVE.search(question)
        if m:
            yield "LINT-NEGATIVE-STEM", ("stem",), {"word": m.group(1), "upper": m.group(1).upper()}


def _stem_echo_findings(
    item: ItemBase, options: list[Option], keys: set[str]
) -> Iterable[tuple[str, tuple, dict]]:
    """A key that alone repeats words of the stem, and options that only restate it."""
    stem_words = content_words(item.stem)
    if keys and options:
        shared = {o.id: content_words(o.text) & stem_words for o in options}
        distractor_best = max((len(shared[o.id]) for o in options if o.id not in keys), default=0)
        for i, o in enumerate(options):
            if o.id in keys and len(shared[o.id]) >= 2 and distractor_best == 0:
                words = ", ".join(sorted(shared[o.id]))
                yield "LINT-KEY-ECHOES-STEM", ("options", i, "text"), {"words": words}
    for i, o in enumerate(options):
        words = content_words(o.text)
        if len(words) >= 3 and words <= stem_words:
            yield "LINT-OPTION-RESTATES-STEM", ("options", i, "text"), {"id": o.id}


def _completeness_findings(item: ItemBase, sources: dict[str, Source]) -> Iterable[tuple[str, tuple, dict]]:
    """Too few steps to order, no explanation, no source, a law named but not quoted, unknown ignores."""
    if isinstance(item, Ordering) and len(item.options) < 3:
        # Never shown in the key's order, two options are always shown reversed.
        yield "LINT-ORDERING-TOO-SHORT", ("options",), {}
    if item.explanation is None:
        yield "LINT-NO-EXPLANATION", ("id",), {}
    if not item.source:
        yield "LINT-NO-SOURCE", ("id",), {}
    if item.status == "ready" and names_a_law(item) and not cites_quoted_law(item, sources):
        yield "LINT-LAW-UNQUOTED", ("source",), {}
    for j, ignore in enumerate(item.lint_ignore):
        if ignore.code not in CODES:
            yield "LINT-IGNORE-UNKNOWN-CODE", ("lint_ignore", j, "code"), {"code": ignore.code}


def item_texts(item: ItemBase) -> list[str]:
    texts = [item.stem, item.explanation or ""]
    for name in ("options", "prompts", "choices"):
        texts += [o.text for o in getattr(item, name, [])]
    return texts


def names_a_law(item: ItemBase) -> bool:
    return any(LAW_MENTION.search(t) for t in item_texts(item))


def cites_quoted_law(item: ItemBase, sources: dict[str, Source]) -> bool:
    return any(
        (s := sources.get(sid)) is not None and s.kind == "law" and bool(s.quote and s.quote.strip())
        for sid in item.source
    )


def key_position_finding(bank: Bank) -> Finding | None:
    positions = [
        next(n for n, o in enumerate(item.options) if o.id == item.key)
        for item in bank.items
        if isinstance(item, SingleChoice)
    ]
    if len(positions) < KEY_POSITION_MIN_ITEMS:
        return None
    position, count = Counter(positions).most_common(1)[0]
    share = count / len(positions)
    if share <= KEY_POSITION_MAX_SHARE:
        return None
    return Finding(
        "LINT-KEY-POSITION",
        bank.id,
        None,
        ("items",),
        {"position": chr(ord("A") + position), "count": count, "n": len(positions), "share": _share(share)},
    )


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < 3:
        return {tuple(words)}
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def near_duplicates(banks: list[Bank]) -> Iterable[tuple[tuple[int, int], tuple[int, int], float]]:
    """Pairs of items, as (bank index, item index), whose stems are nearly the same.

    Prefix filtering (Chaudhuri et al. 2006), so that common triples ("yang paling tepat") do not
    make every pair a candidate: with the triples of every stem ordered rarest first, two stems of
    similarity >= t share a triple among the first |s| - ceil(t|s|) + 1 of each.
    """
    shingles = {
        (b, i): _shingles(item.stem) for b, bank in enumerate(banks) for i, item in enumerate(bank.items)
    }
    frequency = Counter(sh for s in shingles.values() for sh in s)
    index: dict[tuple, list[tuple[int, int]]] = {}
    for place, s in shingles.items():
        rarest_first = sorted(s, key=lambda sh: (frequency[sh], sh))
        prefix = len(s) - math.ceil(NEAR_DUPLICATE_SIMILARITY * len(s) - 1e-9) + 1
        for sh in rarest_first[:prefix]:
            index.setdefault(sh, []).append(place)
    candidates = {pair for places in index.values() for pair in combinations(places, 2)}
    for first, second in sorted(candidates):
        a, b = shingles[first], shingles[second]
        similarity = len(a & b) / len(a | b)
        if similarity >= NEAR_DUPLICATE_SIMILARITY:
            yield first, second, similarity


def lint(banks: list[Bank], sources: dict[str, Source]) -> list[Finding]:
    """Every finding in the banks, each marked silenced when its item says so."""
    findings: list[Finding] = []

    def add(code: str, b: int, i: int | None, path: tuple, params: dict) -> None:
        bank = banks[b]
        silenced = i is not None and any(ig.code == code for ig in bank.items[i].lint_ignore)
        findings.append(Finding(code, bank.id, i, path, params, silenced))

    for b, bank in enumerate(banks):
        for i, item in enumerate(bank.items):
            for code, path, params in item_findings(item, sources):
                add(code, b, i, path, params)
        position = key_position_finding(bank)
        if position is not None:
            findings.append(position)
    for first, second, similarity in near_duplicates(banks):
        other = banks[first[0]].items[first[1]]
        add("LINT-NEAR-DUPLICATE", *second, ("stem",), {"other": other.id, "similarity": _share(similarity)})
    return findings


def silenced_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Silenced findings per bank id."""
    return dict(Counter(f.bank for f in findings if f.silenced))
