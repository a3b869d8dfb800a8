"""What the reports say of the corrections made after a test (assess.adjustments): one line per adjustment
in force, naming the test, the item and the reason."""

from __future__ import annotations

from collections.abc import Mapping

from assess.adjustments import ACCEPT, DROP, FULL_CREDIT, POINTS, ItemChange
from assess.forms import Form
from assess.i18n import _
from assess.i18n.numbers import Numbers


def correction_lines(
    title: str, form: Form | None, changes: Mapping[str, ItemChange], n: Numbers, *, show_answers: bool = True
) -> list[str]:
    """The test's adjustments in force, in the order they were made. Without `show_answers` (a participant
    whose report does not show the keys yet) an accepted answer is not named."""
    if form is None or not changes:
        return []
    number = {item.id: k for k, item in enumerate(form.items, 1)}
    applied = sorted((a for c in changes.values() for a in c.applied), key=lambda a: a.n)
    lines = []
    for a in applied:
        where = _("{test}, question {number} ({item})").format(
            test=title, number=number.get(a.item_id, "?"), item=a.item_id
        )
        if a.kind == DROP:
            what = _("dropped after the test: it counts for nobody, and the maximum is lower")
        elif a.kind == FULL_CREDIT:
            what = _("full points for everyone after the test")
        elif a.kind == POINTS:
            what = _("worth {points} points after the test, everyone's points on it scaled").format(
                points=n.points(float(a.value))
            )
        elif a.kind == ACCEPT and show_answers:
            what = _("{answers} also counted as right after the test").format(answers=_answers(a.value))
        elif a.kind == ACCEPT:
            what = _("another answer also counted as right after the test")
        else:
            continue
        lines.append(_("{where}: {what}. Reason: {reason}").format(where=where, what=what, reason=a.reason))
    return lines


def _answers(values: list) -> str:
    def one(v) -> str:
        if isinstance(v, bool):
            return _("true") if v else _("false")
        if isinstance(v, list):
            return " + ".join(str(x) for x in v)
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return ", ".join(one(v) for v in values)
