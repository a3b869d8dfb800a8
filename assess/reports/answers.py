"""An item's texts in the chosen language, and answers and keys written out as text (pure: no I/O).

The item review of a participant's report shows what they answered and the
key in words (option texts, not letters: on paper and on screen the letters
differ from person to person). Texts are plain: the templates escape them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assess.bank.documents import Source
from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.i18n import _
from assess.i18n.numbers import Numbers
from assess.templating import markdown_block

ARROW = " → "
LIST = "; "


@dataclass(frozen=True)
class ItemText:
    """What the review shows of an item, whoever answered it."""

    id: str
    stem: str
    key: str | None  # None: no key to show (essay)
    explanation: str | None
    sources: str  # the sources' citations, one after the other
    texts: dict[str, str]  # option / choice id -> its text
    prompts: dict[str, str]  # matching prompt id -> its text
    unit: str | None


def item_text(item: ItemBase, lang: str, sources: dict[str, Source], numbers: Numbers) -> ItemText:
    tr = item.translations.get(lang) if lang != "id" else None

    def local(base: str | None, translated: str | None) -> str | None:
        return translated if translated else base

    texts: dict[str, str] = {}
    for o in getattr(item, "options", []):
        texts[o.id] = local(o.text, tr.options.get(o.id) if tr else None)
    prompts: dict[str, str] = {}
    if isinstance(item, Matching):
        for c in item.choices:
            texts[c.id] = local(c.text, tr.choices.get(c.id) if tr else None)
        for p in item.prompts:
            prompts[p.id] = local(p.text, tr.prompts.get(p.id) if tr else None)
    unit = local(getattr(item, "unit", None), tr.unit if tr else None)
    explanation = (local(item.explanation, tr.explanation if tr else None) or "").strip()
    text = ItemText(
        id=item.id,
        # Safe Markdown, as in the booklets (once per item, not per participant).
        stem=markdown_block(local(item.stem, tr.stem if tr else None)),
        key=None,
        explanation=markdown_block(explanation) if explanation else None,
        sources=LIST.join(_source_text(sid, sources) for sid in item.source),
        texts=texts,
        prompts=prompts,
        unit=unit,
    )
    return ItemText(**{**text.__dict__, "key": _key(item, text, numbers)})


def _source_text(sid: str, sources: dict[str, Source]) -> str:
    s = sources.get(sid)
    if s is None:
        return sid
    return f"{s.citation}, {s.article}" if s.article else s.citation


def _key(item: ItemBase, t: ItemText, numbers: Numbers) -> str | None:
    if isinstance(item, SingleChoice):
        return t.texts.get(item.key, item.key)
    if isinstance(item, MultipleResponse):
        return LIST.join(t.texts.get(k, k) for k in item.key)
    if isinstance(item, TrueFalse):
        return _("True") if item.key else _("False")
    if isinstance(item, Matching):
        return LIST.join(f"{t.prompts.get(p, p)}{ARROW}{t.texts.get(c, c)}" for p, c in item.key.items())
    if isinstance(item, Ordering):
        return ARROW.join(t.texts.get(k, k) for k in item.key)
    if isinstance(item, ShortAnswer):
        accepted = [a.text for a in item.accepted if a.text is not None and a.credit == 1]
        return " / ".join(accepted) or None
    if isinstance(item, Numeric):
        value = numbers.points(item.value)
        if item.tolerance:
            tol = numbers.points(item.tolerance)
            value += f" ± {tol}" + ("" if item.tolerance_mode == "absolute" else " (rel.)")
        return value + (f" {t.unit}" if t.unit else "")
    if isinstance(item, WeightedOptions):
        best = item.max_points
        return LIST.join(t.texts.get(o.id, o.id) for o in item.options if o.points == best)
    assert isinstance(item, Essay)
    return None


def answer_text(item: ItemBase, t: ItemText, value: Any, numbers: Numbers) -> str | None:
    """A stored response (JSON form, option ids) in words; None when blank."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(item, SingleChoice | WeightedOptions):
        return t.texts.get(value, str(value))
    if isinstance(item, MultipleResponse):
        return LIST.join(t.texts.get(v, str(v)) for v in value)
    if isinstance(item, TrueFalse):
        return _("True") if value else _("False")
    if isinstance(item, Matching):
        pairs = [(p, c) for p, c in value.items() if c is not None]
        return LIST.join(f"{t.prompts.get(p, p)}{ARROW}{t.texts.get(c, c)}" for p, c in pairs) or None
    if isinstance(item, Ordering):
        return ARROW.join(t.texts.get(v, str(v)) for v in value)
    if isinstance(item, Numeric):
        shown = numbers.points(value) if isinstance(value, int | float) else str(value).strip()
        return (shown + (f" {t.unit}" if t.unit else "")) if shown else None
    text = str(value).strip()
    return text or None


def answer_parts(item: ItemBase, t: ItemText, value: Any) -> list[dict]:
    """A matching or ordering answer as rows of a small table (prompt or position, the answer, the key,
    whether they agree); [] for the other types."""
    if isinstance(item, Matching):
        given = value if isinstance(value, dict) else {}
        return [
            {
                "label": t.prompts.get(p, p),
                "given": t.texts.get(given.get(p), "") if given.get(p) else "",
                "key": t.texts.get(c, c),
                "right": given.get(p) == c,
            }
            for p, c in item.key.items()
        ]
    if isinstance(item, Ordering):
        given = list(value) if isinstance(value, list) else []
        return [
            {
                "label": str(k),
                "given": t.texts.get(given[k - 1], "") if k <= len(given) else "",
                "key": t.texts.get(c, c),
                "right": k <= len(given) and given[k - 1] == c,
            }
            for k, c in enumerate(item.key, 1)
        ]
    return []
