"""The cohort report's context: participation, distributions, the learning gain explained, groups.

The organiser's view of the whole event, from the stored results (pre = the
event's first phase, post = its last) and `assess.analysis.prepost` (through
the records of assess.workspace.prepost: None, never NaN). Every statistic
comes with one plain sentence for a reader who is not a statistician.
"""

from __future__ import annotations

import math

import numpy as np

from assess.analysis.records import record, run_prepost
from assess.i18n import _
from assess.i18n.numbers import Numbers
from assess.reports import charts
from assess.reports.context import (
    EventData,
    event_context,
    not_measured,
    person_context,
    too_few_items,
)
from assess.reports.corrections import correction_lines
from assess.reports.forms_compared import EQUIVALENCE
from assess.workspace.prepost import WORKSPACE_DIGITS_RANK

HAKE_LOW, HAKE_HIGH = 0.3, 0.7  # Hake (1998): low below 0.3, high from 0.7
COHEN = (0.2, 0.5, 0.8)  # Cohen (1988): small, medium, large
ALPHA = 0.05


def _scores(d: EventData, phase_index: int) -> np.ndarray:
    ph = d.phases[phase_index]
    return np.array(
        [ph.results[p.person_id].percentage if p.person_id in ph.results else math.nan for p in d.people],
        dtype=float,
    )


def _stats(pre: np.ndarray, post: np.ndarray) -> dict:
    return record(run_prepost(pre, post, max_score=100.0, digits_rank=WORKSPACE_DIGITS_RANK))


def cohort_context(d: EventData) -> dict:
    n = d.numbers
    two = len(d.phases) >= 2
    pre, post = _scores(d, 0), _scores(d, -1)
    return {
        "event": event_context(d),
        "n_people": n.count(len(d.people)),
        "two": two,
        "first": d.phases[0].title,
        "last": d.phases[-1].title,
        "participation": _participation(d),
        "distribution": _distribution(d),
        "gain": _gain(d, pre, post) if two else None,
        "competencies": _competencies(d) if two else None,
        "grouping": _grouping(d, pre, post),
        "people": _people(d, pre, post),
        "corrections": [
            line for ph in d.phases for line in correction_lines(ph.title, ph.form, ph.changes, n)
        ],
    }


def _participation(d: EventData) -> list[dict]:
    n = d.numbers
    out = []
    for ph in d.phases:
        missing = [p.name for p in d.people if p.person_id not in ph.results]
        provisional = sum(1 for r in ph.results.values() if r.provisional)
        out.append(
            {
                "title": ph.title,
                "took": _("{n} of {total}").format(n=n.count(len(ph.results)), total=n.count(len(d.people))),
                "missing": missing,
                "provisional": n.count(provisional) if provisional else None,
                "state": _("closed") if ph.closed else _("not closed"),
            }
        )
    return out


def _distribution(d: EventData) -> dict:
    n = d.numbers
    rows = []
    for ph in d.phases:
        x = np.array([r.percentage for r in ph.results.values()], dtype=float)
        judged = ph.verdict == "pass_fail"
        passed = [r.passed for r in ph.results.values() if r.passed is not None and judged]
        rows.append(
            {
                "title": ph.title,
                "n": n.count(x.size),
                "mean": n.pct(float(x.mean()) if x.size else None),
                "sd": n.dec(float(x.std(ddof=1)) if x.size > 1 else None),
                "median": n.pct(float(np.median(x)) if x.size else None),
                "low": n.pct(float(x.min()) if x.size else None),
                "high": n.pct(float(x.max()) if x.size else None),
                "passed": _("{n} of {total}").format(n=n.count(sum(passed)), total=n.count(len(passed)))
                if passed
                else n.pct(None),
            }
        )
    first, last = d.phases[0], d.phases[-1]
    chart = charts.histogram(
        "distribution",
        [r.percentage for r in first.results.values()],
        [r.percentage for r in last.results.values()] if len(d.phases) >= 2 else None,
        (first.title, last.title),
        _("Score (%)"),
        _("Participants"),
        lambda v: n.count(v),
        lambda v: n.count(v),
        _("Score distributions: pre-test and post-test"),
    )
    return {"rows": rows, "chart": chart}


def _verdict_hake(g: float) -> str:
    if g < HAKE_LOW:
        return _("low")
    return _("medium") if g < HAKE_HIGH else _("high")


def _verdict_cohen(dz: float) -> str:
    size = abs(dz)
    if size < COHEN[0]:
        return _("negligible")
    if size < COHEN[1]:
        return _("small")
    return _("medium") if size < COHEN[2] else _("large")


def _gain(d: EventData, pre: np.ndarray, post: np.ndarray) -> dict:
    n = d.numbers
    s = _stats(pre, post)
    first, last = d.phases[0].title, d.phases[-1].title
    out: dict = {
        "n": n.count(s["n"]),
        "enough": s["n"] >= 2 and s["mean_gain"] is not None,
        "sentences": [],
        "rows": [],
        "unpaired": None,
        "is_a_gain": d.gain_is_a_gain,
        "forms": _forms(d),
    }
    if s["n_unpaired"]:
        out["unpaired"] = _(
            "{n} participants took only one of the two tests and are left out of these figures."
        ).format(n=n.count(s["n_unpaired"]))
    if not out["enough"]:
        return out
    rows, said = [], out["sentences"]
    for explain in _GAIN_STATISTICS:
        explained = explain(s, n, first, last)
        if explained is not None:
            row, sentence = explained
            rows.append(row)
            said.append(sentence)
    out["rows"] = [{"label": a, "value": b} for a, b in rows]
    return out


def _forms(d: EventData) -> list[str]:
    """What the gain compares: one form, or two and how they stand (docs/reports.md)."""
    c, n = d.compared, d.numbers
    if c is None:
        return []
    first, last = d.phases[0].title, d.phases[-1].title
    if c.same:
        return [_("Both tests had the same items: the gain is a change on one test.")]
    said = [
        (
            _("The two tests are different forms with {k} items in common.").format(k=n.count(len(c.shared)))
            if c.shared
            else _("The two tests are different forms with no item in common.")
        )
        + " "
        + _(
            "Mean intended difficulty of the items (1 easy, 2 medium, 3 hard): {first} {a}, {last} {b}."
        ).format(first=first, a=n.dec(c.difficulty[0], 2), last=last, b=n.dec(c.difficulty[1], 2))
    ]
    if c.anchor_facility is not None:
        said.append(
            _("On the items in both tests the share of points went from {a} to {b}.").format(
                a=n.dec(c.anchor_facility[0], 2), b=n.dec(c.anchor_facility[1], 2)
            )
        )
    if c.equal:
        said.append(
            _(
                "Against the items in both, the other items gained the same within {points} percentage "
                "points (95% confidence): the forms were equally difficult, and the difference is read "
                "as a gain."
            ).format(points=n.dec(EQUIVALENCE, 0))
        )
    else:
        said.append(
            _(
                "Nothing shows the two forms to be equally difficult, so the figures below are the "
                "difference between two forms' scores: part of it may be the forms, not learning. Anchor "
                "items (phases[].anchors) let the report tell the two apart."
            )
        )
    return said


# Each explains one statistic of the gain: ((label, value) for the table, the sentence), or None without it.


def _mean_gain(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """The mean gain, and the mean scores it goes between."""
    row = (_("Mean gain"), n.signed(s["mean_gain"]) + " " + _("percentage points"))
    return row, _(
        "On average, scores went from {pre} in the {first} to {post} in the {last}: a mean gain of "
        "{gain} percentage points over the {n} participants who took both tests."
    ).format(
        pre=n.pct(s["mean_pre"]),
        first=first,
        post=n.pct(s["mean_post"]),
        last=last,
        gain=n.signed(s["mean_gain"]),
        n=n.count(s["n"]),
    )


def _confidence_interval(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """The confidence interval of the mean gain, when there is one."""
    if s["ci_low"] is None:
        return None
    level = n.pct(100 * s["confidence_level"], 0)
    ci = f"{n.signed(s['ci_low'])} … {n.signed(s['ci_high'])}"
    row = (_("{level} confidence interval of the mean gain").format(level=level), ci)
    return row, _(
        "The {level} confidence interval runs from {low} to {high} percentage points: the range in "
        "which the true mean gain most plausibly lies, given how much these participants' gains vary."
    ).format(level=level, low=n.signed(s["ci_low"]), high=n.signed(s["ci_high"]))


def _hake_gain(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """Hake's normalised gain and its verdict, when there is one."""
    if s["hake_g"] is None:
        return None
    row = (_("Hake's normalised gain <g>"), n.dec(s["hake_g"], 2))
    return row, _(
        "Hake's normalised gain <g> is {g} ({verdict}): the cohort gained {share} of the points it "
        "could still gain after the pre-test. Below {low} is usually called low, from {high} high."
    ).format(
        g=n.dec(s["hake_g"], 2),
        verdict=_verdict_hake(s["hake_g"]),
        share=n.pct(100 * s["hake_g"], 0),
        low=n.dec(HAKE_LOW, 1),
        high=n.dec(HAKE_HIGH, 1),
    )


def _effect_size(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """The effect size d_z with Hedges' g_z and its verdict, when there is one."""
    if s["d_z"] is None:
        return None
    row = (_("Effect size d_z (Hedges' g_z)"), f"{n.dec(s['d_z'], 2)} ({n.dec(s['hedges_g_z'], 2)})")
    return row, _(
        "The effect size d_z is {d} ({verdict}): the mean gain divided by the standard deviation of "
        "the individual gains. About {small} is usually called small, {medium} medium and {large} "
        "large. Hedges' g_z, corrected for the size of the cohort, is {g}."
    ).format(
        d=n.dec(s["d_z"], 2),
        verdict=_verdict_cohen(s["d_z"]),
        small=n.dec(COHEN[0], 1),
        medium=n.dec(COHEN[1], 1),
        large=n.dec(COHEN[2], 1),
        g=n.dec(s["hedges_g_z"], 2),
    )


def _t_test(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """The paired t-test and what its p says, when there is one."""
    if s["p"] is None:
        return None
    test = f"t({n.count(s['df'])}) = {n.dec(s['t'], 2)}, {n.p_value(s['p'])}"
    verdict = (
        _(
            "As p is below {alpha}, a gain this large would be very unlikely if the course had changed "
            "nothing on average."
        )
        if s["p"] < ALPHA
        else _(
            "As p is {alpha} or more, a gain of this size could well arise by chance even if the course "
            "had changed nothing on average."
        )
    ).format(alpha=n.dec(ALPHA, 2))
    return (_("Paired t-test"), test), _("The test used is the paired t-test: {test}. {verdict}").format(
        test=test, verdict=verdict
    )


def _wilcoxon(s: dict, n: Numbers, first: str, last: str) -> tuple[tuple[str, str], str] | None:
    """The Wilcoxon signed-rank test as a check, when there is one."""
    if s["wilcoxon_p"] is None:
        return None
    test = f"V = {n.points(s['wilcoxon_v'])}, {n.p_value(s['wilcoxon_p'])}"
    return (_("Wilcoxon signed-rank test"), test), _(
        "As a check, the Wilcoxon signed-rank test, which does not assume that the gains follow a "
        "normal distribution, gives {test}."
    ).format(test=test)


_GAIN_STATISTICS = (_mean_gain, _confidence_interval, _hake_gain, _effect_size, _t_test, _wilcoxon)


def _competencies(d: EventData) -> dict | None:
    """Each competency either test measured: the cohort's means where a test reported it, and the gain
    only where both did (docs/reports.md: a competency score rests on enough items)."""
    n = d.numbers
    first, last = d.phases[0], d.phases[-1]
    ids = list(dict.fromkeys(c for ph in (first, last) for c in ph.measured))
    if not ids:
        return None

    def column(ph, c):
        return np.array(
            [
                ph.results[p.person_id].competencies[c].percentage
                if p.person_id in ph.results and c in ph.results[p.person_id].competencies
                else math.nan
                for p in d.people
            ],
            dtype=float,
        )

    def reported(ph, c) -> bool:
        m = ph.measured.get(c)
        return m is not None and m.enough and not m.levels_only

    def cell(ph, c, scores: np.ndarray) -> dict:
        m = ph.measured.get(c)
        if m is None:
            return {"text": not_measured(), "detail": "", "reported": False}
        rests = _("{items} items").format(items=n.count(len(m.items)))
        if not m.enough:
            return {"text": too_few_items(), "detail": rests, "reported": False}
        mean = float(np.nanmean(scores)) if np.isfinite(scores).any() else None
        return {"text": n.pct(mean), "detail": rests, "reported": True}

    rows, chart_rows = [], []
    for c in ids:
        name = d.competencies.get(c, c)
        pre, post = column(first, c), column(last, c)
        both = reported(first, c) and reported(last, c)
        s = _stats(pre, post) if both else None
        rows.append(
            {
                "id": c,
                "name": name,
                "n": n.count(s["n"]) if s else "",
                "pre": cell(first, c, pre),
                "post": cell(last, c, post),
                "gain": n.signed(s["mean_gain"]) if s else n.pct(None),
                "ci": f"{n.signed(s['ci_low'])} … {n.signed(s['ci_high'])}"
                if s and s["ci_low"] is not None
                else "",
                "hake_g": n.dec(s["hake_g"], 2) if s else "",
            }
        )
        if s:
            chart_rows.append((f"{name} ({c})", s["mean_gain"], s["ci_low"], s["ci_high"]))
    chart = (
        charts.gain_bars(
            "competency-gains",
            chart_rows,
            _("Mean gain (percentage points)"),
            lambda v: n.signed(v, 0),
            _("Mean gain per competency"),
        )
        if chart_rows
        else ""
    )
    return {"rows": rows, "chart": chart, "minimum": n.count(d.reporting.min_items_per_competency)}


def _mean(n: Numbers, x: np.ndarray, signed: bool = False) -> str:
    x = x[~np.isnan(x)]
    if not x.size:
        return n.pct(None)
    return n.signed(float(x.mean())) if signed else n.pct(float(x.mean()))


MIN_GROUP = 3  # a group of fewer people is never compared by name


def group_key(d: EventData) -> str:
    """`unit_code` or `group_code`: what the cohort report compares (reporting.group_by, else by group
    when units average fewer than MIN_GROUP participants and groups exist)."""
    if d.reporting.group_by is not None:
        return f"{d.reporting.group_by}_code"
    units = [p.unit_code for p in d.people if p.unit_code]
    groups = [p.group_code for p in d.people if p.group_code]
    few = not units or len(units) / len(set(units)) < MIN_GROUP
    return "group_code" if few and groups else "unit_code"


def _grouping(d: EventData, pre: np.ndarray, post: np.ndarray) -> dict | None:
    n = d.numbers
    key = group_key(d)
    names = d.units if key == "unit_code" else d.groups
    members: dict[str, list[int]] = {}
    for k, p in enumerate(d.people):
        if getattr(p, key):
            members.setdefault(getattr(p, key), []).append(k)
    if not members:
        return None

    def row(name: str, idx: list[int]) -> dict:
        a, b = pre[idx], post[idx]
        both = ~np.isnan(a) & ~np.isnan(b)
        shown = len(idx) >= MIN_GROUP
        return {
            "name": name,
            "n": n.count(len(idx)),
            "both": n.count(int(both.sum())),
            "pre": _mean(n, a) if shown else n.pct(None),
            "post": _mean(n, b) if shown else n.pct(None),
            "gain": _mean(n, b[both] - a[both], signed=True)
            if shown and both.sum() >= MIN_GROUP
            else n.pct(None),
        }

    rows, small = [], []
    for code, idx in sorted(members.items(), key=lambda kv: names.get(kv[0], kv[0]).casefold()):
        if len(idx) >= MIN_GROUP:
            rows.append(row(names.get(code, code), idx))
        else:
            small += idx
    if small:
        others = _("{n} smaller groups together").format(
            n=n.count(sum(1 for i in members.values() if len(i) < MIN_GROUP))
        )
        rows.append(row(others, small))
    title = _("Per unit") if key == "unit_code" else _("Per group")
    return {"title": title, "rows": rows, "min": n.count(MIN_GROUP)}


def _people(d: EventData, pre: np.ndarray, post: np.ndarray) -> list[dict]:
    n, lang = d.numbers, d.lang
    rows = []
    for k, p in enumerate(d.people):
        pid = p.person_id
        scores = [n.pct(ph.results[pid].percentage) if pid in ph.results else n.pct(None) for ph in d.phases]
        band = next(
            (
                ph.band(ph.results[pid].band, lang)
                for ph in reversed(d.phases)
                if pid in ph.results and ph.verdict != "none"
            ),
            n.pct(None),
        )
        gain = post[k] - pre[k] if len(d.phases) >= 2 else math.nan
        rows.append(
            {
                **person_context(d, p),
                "href": "participants/" + d.report_file(pid),
                "scores": scores,
                "gain": n.signed(gain),
                "band": band,
            }
        )
    return rows
