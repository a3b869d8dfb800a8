"""Paper: the test booklet of each variant, with its answer sheet, and the trainer's key.

Built from a phase's stored form only. A booklet shows the items in the
variant's order (`Variant.items`) and lettered in the variant's option order
(`assess.forms.shown`, `assess.bank.show.letter`), exactly as
`assess.delivery.answer_sheet` reads the letters back: matching prompts numbered in the
item's own order and its choices lettered in the variant's order, true/false
as B or S (Benar, Salah), ordering as letters in the order given, numeric and
short answers as written, essays answered in the booklet and marked later.

The contexts carry ready-to-show values (numbers formatted with Babel in the
chosen language, question text rendered from Markdown through a safe subset:
no HTML, links or images); the templates only lay them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_date, format_interval

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
from assess.bank.show import letter, matching_rule
from assess.delivery.omr.layout import PAPERS
from assess.delivery.omr.sheet import SheetCode, event_tag, form_tag, page_drawing, sheet_pages
from assess.event import Event
from assess.forms import Form, Variant, positions_of, shown
from assess.i18n import N_, _, current_language, ngettext
from assess.i18n.numbers import numbers
from assess.problems import Problem, ProblemsFound
from assess.scoring import item_max
from assess.templating import markdown_block, markdown_inline, render

TRUE_LETTER, FALSE_LETTER = "B", "S"  # Benar, Salah: what assess.delivery.answer_sheet reads
ESSAY_LINES = 12  # lines to write on under an essay question
WRITE_LINES = 1

TYPE_NAMES = {
    "single_choice": N_("single choice"),
    "multiple_response": N_("multiple response"),
    "true_false": N_("true/false"),
    "matching": N_("matching"),
    "ordering": N_("ordering"),
    "short_answer": N_("short answer"),
    "numeric": N_("numeric"),
    "weighted_options": N_("weighted options"),
    "essay": N_("essay"),
}


# -- text ---------------------------------------------------------------------------


def number(value: float, lang: str | None = None) -> str:
    """A number as the language writes it, up to 3 decimals: 0,2 or 12,5 or 5."""
    return numbers(lang).upto(value, 3)


def event_dates(event: Event, lang: str | None = None) -> str:
    lang = lang or current_language()
    dates = sorted(event.event.dates)
    if len(dates) == 1 or dates[0] == dates[-1]:
        return format_date(dates[0], "long", locale=lang)
    return format_interval(dates[0], dates[-1], "yMMMMd", locale=lang)


def points_text(points: float) -> str:
    n = round(points, 3)
    return ngettext("{n} point", "{n} points", 1 if n == 1 else 2).format(n=number(n))


# -- the booklet --------------------------------------------------------------------


def _options(order: Variant, item: ItemBase) -> list[dict]:
    """The item's options (matching: choices) as printed: id, letter and text."""
    parts = item.choices if isinstance(item, Matching) else getattr(item, "options", [])
    text_of = {o.id: o.text for o in parts}
    return [
        {"id": oid, "letter": letter(k), "text": markdown_inline(text_of[oid])}
        for k, oid in enumerate(shown(order, item))
    ]


def _question(number_: int, item: ItemBase, order: Variant, form: Form) -> dict:
    """One question of the booklet."""
    q: dict = {
        "number": number_,
        "item": item.id,
        "type": item.type,  # type: ignore[attr-defined]
        "stem": markdown_block(item.stem),
        "points": points_text(item_max(item, form.policy)),
        "instruction": "",
        "options": [],
        "prompts": [],
        "lines": 0,
        "unit": "",
    }
    if isinstance(item, SingleChoice | WeightedOptions):
        q["layout"] = "choice"
        q["instruction"] = _("Choose one answer.")
        q["options"] = _options(order, item)
    elif isinstance(item, MultipleResponse):
        q["layout"] = "choice"
        q["instruction"] = _("Choose every right answer: one or more.")
        q["options"] = _options(order, item)
    elif isinstance(item, TrueFalse):
        q["layout"] = "choice"
        q["instruction"] = _("B if the statement is true, S if it is false.")
        q["options"] = [
            {"id": "true", "letter": TRUE_LETTER, "text": _("True")},
            {"id": "false", "letter": FALSE_LETTER, "text": _("False")},
        ]
    elif isinstance(item, Matching):
        q["layout"] = "matching"
        q["instruction"] = (
            matching_rule() + " " + _("On the answer sheet, fill in the letter of each number's match.")
        )
        q["options"] = _options(order, item)
        q["prompts"] = [
            {"id": p.id, "number": k, "text": markdown_inline(p.text)} for k, p in enumerate(item.prompts, 1)
        ]
    elif isinstance(item, Ordering):
        q["layout"] = "ordering"
        q["instruction"] = _(
            "On the answer sheet, fill in each letter's place in the order: 1 for the first."
        )
        q["options"] = _options(order, item)
    elif isinstance(item, Numeric | ShortAnswer):
        q["layout"] = "write"
        q["lines"] = WRITE_LINES
        if isinstance(item, Numeric):
            q["instruction"] = _(
                "Write the number in the boxes of the answer sheet, a character in each, and fill in "
                "the bubble under each: a minus sign first if it is negative, a comma before decimals."
            )
            if item.unit:
                q["unit"] = _("Answer in {unit}.").format(unit=item.unit)
        else:
            q["instruction"] = _("Write a short answer here and in the box of the answer sheet.")
    elif isinstance(item, Essay):
        q["layout"] = "essay"
        q["lines"] = ESSAY_LINES
        q["instruction"] = _("Write your answer on the lines below.")
        if item.min_words or item.max_words:
            q["instruction"] += " " + _words(item)
    else:  # pragma: no cover - every item type is handled above
        raise TypeError(type(item).__name__)
    return q


def _words(item: Essay) -> str:
    if item.min_words and item.max_words:
        return _("{low} to {high} words.").format(low=item.min_words, high=item.max_words)
    if item.min_words:
        return _("At least {n} words.").format(n=item.min_words)
    return _("At most {n} words.").format(n=item.max_words)


def _header(event: Event, form: Form) -> dict:
    phase = event.phase(form.phase)
    minutes = phase.time_limit_minutes
    return {
        "event": event.event.title,
        "organiser": event.event.organiser or "",
        "place": event.event.place or "",
        "dates": event_dates(event),
        "phase": event.phase_title(form.phase),
        "phase_id": form.phase,
        "time": ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes) if minutes else "",
        "questions": ngettext("{n} question", "{n} questions", len(form.items)).format(n=len(form.items)),
        "hash": form.hash[:12],
    }


def variant_of(form: Form, label: str | None) -> Variant:
    """The form's variant `label` (A, B, ...), or a problem naming the variants there are."""
    labels = [v.label for v in form.variants]
    chosen = (label or "").strip().upper()
    if chosen not in labels:
        raise ProblemsFound(
            [Problem("PAPER-VARIANT-UNKNOWN", {"variant": label, "variants": ", ".join(labels)})]
        )
    return form.variant(chosen)


def sheet_context(
    event: Event, form: Form, variant: Variant, paper: str = "a4", identity: str = "number", person=None
) -> dict:
    """The readable answer sheet of a variant (`assess.delivery.omr`): its pages, each with the QR code
    naming event, phase, variant, form and page; `person` (with .person_id and .name): a sheet printed for
    that participant, without the identity grid."""
    try:
        pages = sheet_pages(form, variant, paper, None if person is not None else identity)
    except ValueError:  # a question with more options than a page's width holds: no readable sheet
        pages = []
    tag, who = event_tag(event.event.id), person.person_id if person is not None else ""
    grid = identity if person is None else ""
    codes = [
        SheetCode(tag, form.phase, variant.label, form_tag(form.hash), page.number, len(pages), grid, who)
        for page in pages
    ]
    legend = _(
        "Fill the bubble completely with a dark pen (like the black one on the right); erase fully to change."
    )
    if person is None:
        legend += " " + _("Write your {identity} in the boxes and fill in its digits.").format(
            identity="NIP" if identity == "nip" else _("participant number")
        )
    width, height = PAPERS[paper]
    return {
        "omr_pages": [
            page_drawing(page, code, form, variant) for page, code in zip(pages, codes, strict=True)
        ],
        "omr_head": {
            "event": event.event.title,
            "dates": event_dates(event),
            "phase": event.phase_title(form.phase),
            "person": {"name": person.name, "id": person.person_id} if person is not None else None,
            "identity": identity if person is None else "",
            "legend": legend,
        },
        "paper": {"name": paper, "width": width, "height": height},
        "variant": variant.label,
        "omr_none": _(
            "This form has a question with more options than a readable answer sheet holds: collect the "
            "answers on the typed answer sheet (assess responses template)."
        )
        if not pages
        else "",
    }


def booklet_context(
    event: Event, form: Form, label: str, paper: str = "a4", identity: str = "number"
) -> dict:
    variant = variant_of(form, label)
    return {
        "header": _header(event, form),
        "variant": variant.label,
        "questions": [_question(k, form.item(i), variant, form) for k, i in enumerate(variant.items, 1)],
        "has_essays": any(isinstance(i, Essay) for i in form.items),
        **sheet_context(event, form, variant, paper, identity),
    }


def booklet_html(event: Event, form: Form, label: str, paper: str = "a4", identity: str = "number") -> str:
    return render("paper/booklet.html", **booklet_context(event, form, label, paper, identity))


def sheets_html(
    event: Event,
    form: Form,
    sheets: Sequence[tuple[str, object | None]],
    paper: str = "a4",
    identity: str = "number",
) -> str:
    """Answer sheets only, one after the other: (variant label, participant or None) each."""
    parts = [
        sheet_context(event, form, variant_of(form, label), paper, identity, person)
        for label, person in sheets
    ]
    first = parts[0] if parts else sheet_context(event, form, form.variants[0], paper, identity)
    return render("paper/sheets.html", header=_header(event, form), sheets=parts, paper=first["paper"])


# -- the key ------------------------------------------------------------------------


def key_text(item: ItemBase, order: Variant) -> str:
    """The key as the answer sheet is filled in: letters as printed, B/S, pairs, a value or texts."""
    if isinstance(item, SingleChoice):
        return letter(positions_of(order, item, [item.key])[0])
    if isinstance(item, MultipleResponse):
        return ", ".join(sorted((letter(p) for p in positions_of(order, item, item.key)), key=_by_letter))
    if isinstance(item, TrueFalse):
        return f"{TRUE_LETTER} ({_('True')})" if item.key else f"{FALSE_LETTER} ({_('False')})"
    if isinstance(item, Matching):
        return " ".join(
            f"{k}{letter(positions_of(order, item, [item.key[p.id]])[0])}"
            for k, p in enumerate(item.prompts, 1)
        )
    if isinstance(item, Ordering):
        return "".join(letter(p) for p in positions_of(order, item, item.key))
    if isinstance(item, WeightedOptions):
        points = {o.id: o.points for o in item.options}
        return " · ".join(f"{letter(k)} {number(points[oid])}" for k, oid in enumerate(shown(order, item)))
    if isinstance(item, Numeric):
        return _numeric_key(item)
    if isinstance(item, ShortAnswer):
        # The accepted texts as examples; a pattern goes to a line of its own for the trainer.
        texts = [a for a in item.accepted if a.text is not None]
        return " / ".join(_accepted(a) for a in texts) or _("see the note for the trainer")
    if isinstance(item, Essay):
        return " · ".join(f"{r.label} {number(r.points)}" for r in item.rubric)
    raise TypeError(type(item).__name__)  # pragma: no cover


def _by_letter(label: str) -> tuple[int, str]:
    return (len(label), label)


def _numeric_key(item: Numeric) -> str:
    unit = f" {item.unit}" if item.unit else ""
    text = number(item.value) + unit
    if item.tolerance:
        tolerance = (
            number(item.tolerance) + unit
            if item.tolerance_mode == "absolute"
            else numbers().pct_upto(item.tolerance * 100, 3)
        )
        text += f" ± {tolerance}"
    return text


def _accepted(a) -> str:
    text = a.text if a.text is not None else a.regex
    if a.credit != 1:
        text += " (" + _("{share} of the points").format(share=numbers().pct_upto(a.credit * 100, 1)) + ")"
    return text


def _key_rows(form: Form, variant: Variant) -> list[dict]:
    rows = []
    for k, item_id in enumerate(variant.items, 1):
        item = form.item(item_id)
        row = {
            "number": k,
            "item": item.id,
            "type": _(TYPE_NAMES[item.type]),  # type: ignore[attr-defined]
            "key": key_text(item, variant),
            "points": number(item_max(item, form.policy)),
            "notes": [],
        }
        patterns = [a for a in getattr(item, "accepted", []) if a.regex is not None]
        if isinstance(item, ShortAnswer) and patterns:
            row["notes"] = [
                _("For the trainer: the scoring also accepts what matches {patterns}").format(
                    patterns=" / ".join(_accepted(a) for a in patterns)
                )
            ]
        if isinstance(item, Essay):
            row["notes"] = [
                f"{r.label} ({number(r.points)}): {r.description}" for r in item.rubric if r.description
            ]
            if item.model_answer:
                row["notes"].append(
                    _("Model answer: {text}").format(text=" ".join(item.model_answer.split()))
                )
        rows.append(row)
    return rows


def key_context(event: Event, form: Form, labels: Sequence[str]) -> dict:
    variants = [variant_of(form, label) for label in labels]
    total = sum(item_max(i, form.policy) for i in form.items)
    return {
        "header": _header(event, form),
        "total": _("Maximum score: {total} points.").format(total=number(total)),
        "variants": [{"label": v.label, "rows": _key_rows(form, v)} for v in variants],
    }


def key_html(event: Event, form: Form, labels: Sequence[str]) -> str:
    return render("paper/key.html", **key_context(event, form, labels))
