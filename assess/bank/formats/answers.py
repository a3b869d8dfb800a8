"""Answers as the formats give them (texts with fractions, pairs, numbers with tolerances) made the
fields of an item, with one set of rules for every reader."""

from __future__ import annotations

import re

from assess.bank.formats.common import Draft, multiple_response_fractions, option_id, wildcard_regex


def _percentages(fractions: list[float]) -> str:
    return ", ".join(f"{round(f * 100, 4):g}%" for f in fractions)


def choices(draft: Draft, options: list[dict], fractions: list[float], single: bool) -> None:
    """A multiple choice question: one right answer (single choice), several answers with their own
    weights (weighted options), or any number right (multiple response)."""
    draft.fields["options"] = options
    positive = [f for f in fractions if f > 0]
    scaled = any(t.strip().casefold().startswith(("skala:", "scale:")) for t in draft.tags)
    if single and (len(positive) > 1 or scaled):
        draft.fields.update(type="weighted_options", fractions=[max(f, 0.0) for f in fractions])
    elif not positive:
        draft.refuse("IMPORT-NO-KEY")
    elif single:
        draft.fields.update(type="single_choice", key=options[fractions.index(positive[0])]["id"])
        if positive[0] < 1 or any(f < 0 for f in fractions):
            draft.note("IMPORT-FRACTIONS-DIFFER", fractions=_percentages(fractions))
    else:
        key = [o["id"] for o, f in zip(options, fractions, strict=True) if f > 0]
        draft.fields.update(type="multiple_response", key=key)
        right, wrong = multiple_response_fractions(len(key), len(options) - len(key))
        if any(abs(f - (right if f > 0 else wrong)) > 1e-4 for f in fractions):
            draft.note("IMPORT-FRACTIONS-DIFFER", fractions=_percentages(fractions))


def matching(draft: Draft, pairs: list[tuple[str | None, str]]) -> None:
    """Prompts and the choice each matches; a pair with no prompt adds a choice that matches none."""
    prompts, choice_list, key, ids = [], [], {}, {}
    for prompt, choice in pairs:
        if choice not in ids:
            ids[choice] = option_id(len(choice_list) + 1)
            choice_list.append({"id": ids[choice], "text": choice})
        if prompt:
            prompts.append({"id": str(len(prompts) + 1), "text": prompt})
            key[prompts[-1]["id"]] = ids[choice]
    draft.fields.update(type="matching", prompts=prompts, choices=choice_list, key=key)


def short_answer(draft: Draft, answers: list[tuple[str, float]], case_sensitive: bool) -> None:
    """Accepted texts with their credit; Moodle's `*` wildcard (`\\*` a star) becomes a regex."""
    accepted = []
    for text, credit in answers:
        if credit <= 0 or not text:
            continue
        entry: dict = {} if credit >= 1 else {"credit": credit}
        if "*" in text.replace("\\*", ""):
            entry["regex"] = wildcard_regex(text, case_sensitive)
        else:
            entry["text"] = text.replace("\\*", "*")
        accepted.append(entry)
    if not accepted:
        draft.refuse("IMPORT-NO-KEY")
        return
    draft.fields.update(type="short_answer", accepted=accepted, case_sensitive=case_sensitive)


def numeric(draft: Draft, answers: list[tuple[float, float, float]]) -> bool:
    """(credit, value, tolerance) answers: the first full-credit one is the key, a wider one of the same
    value with less credit the partial tolerance. Whether answers were left over."""
    full = [a for a in answers if a[0] >= 1]
    if not full:
        draft.refuse("IMPORT-NO-KEY")
        return False
    _credit, value, tolerance = full[0]
    draft.fields.update(type="numeric", value=value, tolerance=tolerance)
    partial = [a for a in answers if a[0] < 1 and a[1] == value and a[2] > tolerance]
    if partial:
        draft.fields.update(partial_tolerance=partial[0][2], partial_credit=partial[0][0])
    return len(full) + len(partial[:1]) < len(answers)


_RUBRIC_LEVEL = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*=\s*([^:]+?)\s*(?::\s*(.*?))?\s*$")


def rubric_levels(lines: list[str]) -> tuple[list[dict], str | None]:
    """Rubric levels typed one a line, `points = label: description`, and the first line that is not
    one (None when all are)."""
    levels = []
    for line in (ln for text in lines for ln in text.split("\n") if ln.strip()):
        m = _RUBRIC_LEVEL.match(line)
        if m is None:
            return levels, line.strip()
        level = {
            "id": str(len(levels) + 1),
            "label": m.group(2),
            "points": float(m.group(1).replace(",", ".")),
        }
        if m.group(3):
            level["description"] = m.group(3)
        levels.append(level)
    return levels, None
