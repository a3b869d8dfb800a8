"""Pre/post data of an event (its stored results paired by participant), and records out.

The adapter of `assess.analysis.prepost` and `assess.analysis.mcnemar`: it
pairs an event's stored results by participant, runs the pure statistics and
shapes their results as plain records (`assess.analysis.records`) for JSON and
for the terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assess.adjustments import effective
from assess.analysis.mcnemar import mcnemar
from assess.analysis.records import number, record, run_prepost
from assess.event import Reporting
from assess.problems import Problem, ProblemsFound
from assess.scoring import items_by_competency
from assess.store.records import ItemMark, Result

MEASURED, TOO_FEW_ITEMS, NOT_MEASURED = "measured", "too_few_items", "not_measured"
WORKSPACE_DIGITS_RANK = 7  # stored percentages carry 9 decimals: rank differences to 7 significant digits


# -- an event's own results -------------------------------------------------------------


@dataclass(frozen=True)
class ItemPairs:
    id: str
    competencies: list[str]
    pre: np.ndarray  # bool: right (full marks) before, per paired participant
    post: np.ndarray


@dataclass(frozen=True)
class EventPairs:
    """An event's results of two phases, by participant (NaN where a phase has no result)."""

    pre_phase: str
    post_phase: str
    people: list[str]
    names: dict[str, str]
    pre: np.ndarray
    post: np.ndarray
    provisional: int  # pairs where either result waits for essay marks
    competencies: dict[str, tuple[np.ndarray, np.ndarray]]
    items: list[ItemPairs]
    items_left_out: list[dict]  # {"id", "reason"}: in both forms but not comparable
    # competency -> how many items of the pre and of the post form carry it (None: no forms stored)
    carried: dict[str, tuple[int, int]] | None = None
    min_items: int = 1  # the fewest items on which a competency's score is reported

    def measured(self, competency: str) -> tuple[str, str]:
        """MEASURED, TOO_FEW_ITEMS or NOT_MEASURED, for the pre and for the post form."""
        if self.carried is None:
            return (MEASURED, MEASURED)
        counts = self.carried.get(competency, (0, 0))
        return tuple(  # type: ignore[return-value]
            NOT_MEASURED if k == 0 else TOO_FEW_ITEMS if k < self.min_items else MEASURED for k in counts
        )


def choose_phases(phases: list[str], pre: str | None, post: str | None) -> tuple[str, str]:
    """The pre- and post-test phases: as given, else the event's first and last; two different ones."""
    pre, post = pre or phases[0], post or phases[-1]
    for phase in (pre, post):
        if phase not in phases:
            raise ProblemsFound(
                [Problem("PREPOST-PHASE-UNKNOWN", {"phase": phase, "phases": ", ".join(phases)})]
            )
    if pre == post:
        raise ProblemsFound([Problem("PREPOST-PHASES-SAME", {"phase": pre})])
    return pre, post


def _latest(rows: list[Result]) -> dict[str, Result]:
    """Each person's result (the latest attempt's, should there be several)."""
    out: dict[str, Result] = {}
    for r in sorted(rows, key=lambda r: r.attempt_id):
        out[r.person_id] = r
    return out


def _outcome(mark: ItemMark) -> bool | None:
    """Right (full marks) or wrong (0 or less); None for partial credit."""
    if mark.max_points > 0 and mark.points >= mark.max_points:
        return True
    return False if mark.points <= 0 else None


def _item_pairs(item, pre: dict[str, Result], post: dict[str, Result], paired: list[str]) -> ItemPairs | str:
    """An item's dichotomous outcomes over the paired participants, or why it has none."""
    before, after = [], []
    for person in paired:
        a, b = pre[person].items.get(item.id), post[person].items.get(item.id)
        if a is None or b is None or a.pending or b.pending:
            continue
        x, y = _outcome(a), _outcome(b)
        if x is None or y is None:
            return "partial_credit"
        before.append(x)
        after.append(y)
    return ItemPairs(item.id, list(item.competencies), np.array(before, bool), np.array(after, bool))


def load_event_pairs(
    store, event_id: str, pre_phase: str, post_phase: str, reporting: Reporting | None = None
) -> EventPairs:
    """Pair the stored results of two phases by participant; items shared by both forms, too.

    An item is compared (McNemar) when both phases' forms hold it unchanged
    and every paired participant's mark on it, in both phases, is full marks
    (right) or 0 or less (wrong, blank); an item with partial marks, or
    changed between the forms, is left out and listed. Marks waiting for an
    essay's marking leave that participant out of that item.

    With both forms stored, each competency is counted on each form as scoring counts it
    (`items_by_competency`; only `reporting.competencies` when set), so that a competency is compared
    only where both forms measured it on at least `reporting.min_items_per_competency` items.
    """
    reporting = reporting or Reporting()
    pre, post = _latest(store.results(event_id, pre_phase)), _latest(store.results(event_id, post_phase))
    people = sorted(pre.keys() | post.keys())
    names = {p.person_id: p.name for p in store.participants(event_id)}
    paired = [p for p in people if p in pre and p in post]

    def column(rows, key=None):
        if key is None:
            return np.array([rows[p].percentage if p in rows else math.nan for p in people])
        return np.array(
            [
                rows[p].competencies[key].percentage
                if p in rows and key in rows[p].competencies
                else math.nan
                for p in people
            ]
        )

    competencies = sorted({c for rows in (pre, post) for r in rows.values() for c in r.competencies})
    items, left_out, carried = [], [], None
    if store.has_form(event_id, pre_phase) and store.has_form(event_id, post_phase):
        before, after = store.form(event_id, pre_phase), store.form(event_id, post_phase)
        changes = {p: effective(store.adjustments(event_id, p)) for p in (pre_phase, post_phase)}
        counts = [
            items_by_competency(form.items, changes[p], reporting.competencies)
            for form, p in ((before, pre_phase), (after, post_phase))
        ]
        carried = {
            c: (len(counts[0].get(c, [])), len(counts[1].get(c, []))) for c in {*counts[0], *counts[1]}
        }
        competencies = sorted(carried)
        later = {i.id: i for i in after.items}
        for item in before.items:
            other = later.get(item.id)
            if other is None:
                continue
            if other.model_dump(mode="json") != item.model_dump(mode="json"):
                left_out.append({"id": item.id, "reason": "changed"})
                continue
            got = _item_pairs(item, pre, post, paired)
            if isinstance(got, str):
                left_out.append({"id": item.id, "reason": got})
            else:
                items.append(got)
    return EventPairs(
        pre_phase=pre_phase,
        post_phase=post_phase,
        people=people,
        names=names,
        pre=column(pre),
        post=column(post),
        provisional=sum(1 for p in paired if pre[p].provisional or post[p].provisional),
        competencies={c: (column(pre, c), column(post, c)) for c in competencies},
        items=items,
        items_left_out=left_out,
        carried=carried,
        min_items=reporting.min_items_per_competency,
    )


def event_record(pairs: EventPairs, **options) -> dict:
    """Every statistic of an event's two phases: total, per competency, per item (McNemar).

    Totals and competency subscores are the stored percentages (max_score
    100). Stored percentages carry 9 decimals, so a gain of 1/3 of the items
    can differ from another 1/3 in the last one; the Wilcoxon ranks are
    therefore taken to `WORKSPACE_DIGITS_RANK` = 7 significant digits (R's
    digits.rank = 7) unless `digits_rank` is given. McNemar per item: both
    the exact binomial p-value and the continuity-corrected chi-square.
    """
    options = {"digits_rank": WORKSPACE_DIGITS_RANK, **options, "max_score": 100.0}
    total = run_prepost(pairs.pre, pairs.post, **options)
    unpaired = []
    for k in total.unpaired:
        person = pairs.people[k]
        phase = pairs.pre_phase if not math.isnan(pairs.pre[k]) else pairs.post_phase
        unpaired.append({"id": person, "name": pairs.names.get(person), "phase": phase})
    items = []
    for item in pairs.items:
        m = mcnemar(item.pre, item.post)
        items.append(
            {
                "id": item.id,
                "competencies": item.competencies,
                "n": m.n,
                "pre_proportion": number(m.pre_proportion),
                "post_proportion": number(m.post_proportion),
                "b": m.b,
                "c": m.c,
                "mcnemar_exact_p": number(m.exact_pvalue),
                "mcnemar_chi2": number(m.statistic),
                "mcnemar_p": number(m.pvalue),
            }
        )
    competencies = []
    for c, (before, after) in pairs.competencies.items():
        ids = [i["id"] for i in items if c in i["competencies"]]
        statuses = pairs.measured(c)
        entry = {"competency": c, "measured": dict(zip(("pre", "post"), statuses, strict=True))}
        if pairs.carried is not None:
            entry["n_items"] = dict(zip(("pre", "post"), pairs.carried.get(c, (0, 0)), strict=True))
        if statuses == (MEASURED, MEASURED):  # a gain only between two forms that both measured it
            entry.update(record(run_prepost(before, after, **options)))
        competencies.append({**entry, "items": ids})
    return {
        "pre_phase": pairs.pre_phase,
        "post_phase": pairs.post_phase,
        **record(total),
        "n_provisional": pairs.provisional,
        "unpaired": unpaired,
        "competencies": competencies,
        "items": items,
        "items_left_out": pairs.items_left_out,
    }
