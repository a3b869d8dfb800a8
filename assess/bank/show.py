"""An item as a participant sees it, then what only a trainer sees (pure: no I/O)."""

from __future__ import annotations

from string import ascii_uppercase

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


def matching_rule() -> str:
    return _("Each choice may be used once, more than once, or not at all.")


def letter(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the label of the option at position i."""
    label = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        label = ascii_uppercase[r] + label
    return label


def letters(n: int) -> list[str]:
    return [letter(i) for i in range(n)]


def _numbers():
    from assess.i18n.numbers import numbers  # here: `assess --version` need not load Babel's numbers

    return numbers()


def _fmt(x: float) -> str:
    return _numbers().upto(x, 6)


def participant_view(item: ItemBase) -> list[str]:
    """What a participant sees: stem and options in bank order, no key."""
    lines = [item.stem.strip(), ""]
    if isinstance(item, SingleChoice | MultipleResponse | WeightedOptions | Ordering):
        for letter, opt in zip(letters(len(item.options)), item.options, strict=True):
            lines.append(f"  {letter}. {opt.text}")
    elif isinstance(item, TrueFalse):
        lines += [f"  A. {_('True')}", f"  B. {_('False')}"]
    elif isinstance(item, Matching):
        # Participants assume one-to-one pairs unless told otherwise.
        lines += ["  " + matching_rule(), ""]
        for n, prompt in enumerate(item.prompts, 1):
            lines.append(f"  {n}. {prompt.text}")
        lines.append("")
        for letter, choice in zip(letters(len(item.choices)), item.choices, strict=True):
            lines.append(f"  {letter}. {choice.text}")
    elif isinstance(item, Numeric) and item.unit:
        lines.append("  " + _("Answer in {unit}.").format(unit=item.unit))
    return lines


def key_lines(item: ItemBase) -> list[str]:
    """The key, written with the letters of participant_view and with option ids."""
    if isinstance(item, SingleChoice | MultipleResponse | Ordering):
        letter_of = dict(zip((o.id for o in item.options), letters(len(item.options)), strict=True))
        keys = [item.key] if isinstance(item, SingleChoice) else item.key
        sep = " → " if isinstance(item, Ordering) else ", "
        return [sep.join(f"{letter_of[k]} ({k})" for k in keys)]
    if isinstance(item, TrueFalse):
        return [_("True") if item.key else _("False")]
    if isinstance(item, Matching):
        letter_of = dict(zip((c.id for c in item.choices), letters(len(item.choices)), strict=True))
        number_of = {p.id: n for n, p in enumerate(item.prompts, 1)}
        return [f"{number_of[p]} → {letter_of[c]} ({p} → {c})" for p, c in item.key.items()]
    if isinstance(item, WeightedOptions):
        return [
            f"{letter}. {_fmt(o.points)}"
            for letter, o in zip(letters(len(item.options)), item.options, strict=True)
        ]
    if isinstance(item, ShortAnswer):
        return [
            (a.text if a.text is not None else f"/{a.regex}/")
            + ("" if a.credit == 1 else f" ({_numbers().share(a.credit)})")
            for a in item.accepted
        ]
    if isinstance(item, Numeric):
        tol = f"{_fmt(item.tolerance)}" + ("" if item.tolerance_mode == "absolute" else " (rel.)")
        unit = f" {item.unit}" if item.unit else ""
        return [f"{_fmt(item.value)}{unit} ± {tol}"]
    if isinstance(item, Essay):
        return [f"{_fmt(r.points)}: {r.label}" for r in item.rubric]
    return []


def trainer_view(item: ItemBase, sources: dict[str, Source]) -> list[str]:
    lines = [_("Key:")] + ["  " + k for k in key_lines(item)]
    lines.append(_("Points: {points}").format(points=_fmt(item.max_points)))
    if item.explanation:
        lines += ["", _("Explanation:"), "  " + item.explanation.strip()]
    options = getattr(item, "options", [])
    if any(o.feedback for o in options):
        lines += ["", _("Feedback per option:")]
        lines += [
            f"  {letter}. {o.feedback.strip()}"
            for letter, o in zip(letters(len(options)), options, strict=True)
            if o.feedback
        ]
    if item.source:
        lines += ["", _("Source:")]
        for sid in item.source:
            s = sources.get(sid)
            text = f"{s.citation}, {s.article}" if s and s.article else (s.citation if s else sid)
            lines.append(f"  [{sid}] {text}")
    return lines


def show_item(item: ItemBase, sources: dict[str, Source]) -> str:
    head = f"{item.id} · {item.type} · {item.difficulty} · {item.status}"  # type: ignore[attr-defined]
    return "\n".join([head, "", *participant_view(item), "", *trainer_view(item, sources)]) + "\n"
