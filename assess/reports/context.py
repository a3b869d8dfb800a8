"""Report contexts: everything a report shows, read from the store once and formatted for the templates.

`load(ws)` reads the event's phases, forms, results, attempts' states and
(only when a review policy lets participants see them) answers.
`participant_context` holds one participant's data and nothing of anyone
else's but the size of the cohort and their percentile; what it shows obeys
each phase's review policy with the event's current state (phases closed or
not). `cohort_context` is the organiser's view (see context_cohort.py);
`index_context` links everything. Every number is formatted here with Babel in
the current language; templates compute nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from hashlib import sha256

import numpy as np

from assess.adjustments import ItemChange, effective
from assess.event import Reporting
from assess.event.policy import Grading, ReviewPolicy
from assess.event.review import Moments, visible
from assess.forms import Form
from assess.i18n import _, current_language
from assess.i18n.numbers import Numbers
from assess.participants import slug
from assess.reports import charts
from assess.reports.answers import ItemText, answer_parts, answer_text, item_text
from assess.reports.corrections import correction_lines
from assess.reports.forms_compared import FormsCompared, compare_forms
from assess.reports.measured import Measured, measured, median_level
from assess.store.store import CLOSED, FINISHED, NotFound, Participant, Result
from assess.workspace import Workspace

REVIEW_ITEMS = ("own_answers", "correct_answers", "explanations", "sources")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}")


def report_name(person_id: str) -> str:
    """The file name of a participant's report: their internal id (never NIP or access code)."""
    if _SAFE_NAME.fullmatch(person_id) and not person_id.endswith("."):
        return f"{person_id}.html"
    return f"p-{sha256(person_id.encode()).hexdigest()[:16]}.html"


def named_report_files(people: list[Participant]) -> dict[str, str]:
    """Report file names a trainer can send on as they are: the name and the NIP ("afrizal-s-sos-
    197805122005011002.html"), the internal id where there is no NIP or two would be alike."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for p in people:
        nip = p.nip if p.nip and _SAFE_NAME.fullmatch(p.nip) else None
        name = f"{slug(p.name, 'peserta')}-{nip or report_name(p.person_id).removesuffix('.html')}.html"
        if name.casefold() in taken:
            name = f"{slug(p.name, 'peserta')}-{report_name(p.person_id)}"
        taken.add(name.casefold())
        names[p.person_id] = name
    return names


@dataclass
class PhaseData:
    id: str
    title: str
    review: ReviewPolicy
    closed: bool
    form: Form | None
    grading: Grading
    results: dict[str, Result]  # person id -> result row (the latest attempt's)
    status: dict[int, str]  # attempt id -> status
    seen: frozenset[str] = frozenset()  # what a participant with a finished attempt may see now
    answers: dict[int, dict] = field(default_factory=dict)
    texts: dict[str, ItemText] = field(default_factory=dict)
    scores: np.ndarray = field(default_factory=lambda: np.array([]))  # sorted percentages
    changes: dict[str, ItemChange] = field(default_factory=dict)  # adjustments after the test, in force
    verdict: str = "band"  # none (a starting point), band or pass_fail: Event.verdict_of
    measured: dict[str, Measured] = field(default_factory=dict)  # competency -> what the form measured

    def band(self, label: str, lang: str) -> str:
        if lang == "id":
            return label
        found = next((b for b in self.grading.bands if b.label == label), None)
        return (found.label_en or found.label) if found else label


@dataclass
class EventData:
    event_id: str
    title: str
    dates: str
    place: str | None
    organiser: str | None
    time_zone: str
    phases: list[PhaseData]
    people: list[Participant]  # by name
    units: dict[str, str]
    groups: dict[str, str]
    competencies: dict[str, str]  # id -> name in the current language
    numbers: Numbers
    lang: str
    reporting: Reporting = field(default_factory=Reporting)
    level_words: dict[str, dict[int, str]] = field(default_factory=dict)  # competency -> level -> descriptor
    compared: FormsCompared | None = None  # the first and the last test's forms, when both are stored
    report_files: dict[str, str] = field(default_factory=dict)  # person -> file name, when not report_name

    def report_file(self, person_id: str) -> str:
        """The file name of a participant's report (and of their one-page summary)."""
        return self.report_files.get(person_id) or report_name(person_id)

    @property
    def gain_is_a_gain(self) -> bool:
        """Whether a difference of the first and last scores may be called a gain (docs/reports.md)."""
        return self.compared is None or self.compared.equal


def load(ws: Workspace) -> EventData:
    lang = current_language()
    numbers = Numbers(lang)
    store, event_id, event = ws.store, ws.event_id, ws.loaded.event
    library = ws.loaded.library
    sources = library.sources
    states = {p.id: store.phase_state(event_id, p.id) for p in event.phases}
    last_closed = states[event.phases[-1].id] == CLOSED
    rows_by_phase: dict[str, list[Result]] = {p.id: [] for p in event.phases}
    for row in store.results(event_id):
        rows_by_phase.setdefault(row.phase_id, []).append(row)
    adjustments: dict[str, list] = {}
    for a in store.adjustments(event_id):
        adjustments.setdefault(a.phase_id, []).append(a)
    status_by_phase: dict[str, dict[int, str]] = {p.id: {} for p in event.phases}
    for a in store.attempts(event_id):
        status_by_phase.setdefault(a.phase_id, {})[a.id] = a.status
    phases = []
    for p in event.phases:
        try:
            form = store.form(event_id, p.id)
        except NotFound:
            form = None
        latest: dict[str, Result] = {}
        for r in sorted(rows_by_phase[p.id], key=lambda r: r.attempt_id):
            latest[r.person_id] = r
        closed = states[p.id] == CLOSED
        ph = PhaseData(
            id=p.id,
            title=event.phase_title(p.id),
            review=p.review,
            closed=closed,
            form=form,
            grading=form.grading if form else event.grading,
            results=latest,
            status=status_by_phase[p.id],
            seen=visible(p.review, Moments(True, closed, last_closed)),
            scores=np.sort(np.array([r.percentage for r in latest.values()], dtype=float)),
            changes=effective(adjustments.get(p.id, [])),
            verdict=event.verdict_of(p.id),
        )
        if form is not None:
            levels = len(ph.grading.level_thresholds)
            ph.measured = measured(form, ph.changes, list(latest.values()), event.reporting, levels)
        if form is not None and ph.seen & set(REVIEW_ITEMS):
            ph.texts = {i.id: item_text(i, lang, sources, numbers) for i in form.items}
            if "own_answers" in ph.seen:
                ph.answers = store.answers_of([r.attempt_id for r in latest.values()])
        phases.append(ph)
    names, level_words = competency_words(library, lang)
    people = sorted(store.participants(event_id), key=lambda p: (p.name.casefold(), p.person_id))
    info = event.event
    first, last = phases[0], phases[-1]
    compared = None
    if len(phases) >= 2 and first.form is not None and last.form is not None:
        compared = compare_forms(first.form, last.form, first.results, last.results)
    return EventData(
        event_id=event_id,
        title=info.title,
        dates=numbers.dates(list(info.dates)),
        place=info.place,
        organiser=info.organiser,
        time_zone=info.time_zone,
        phases=phases,
        people=people,
        units=store.units(event_id),
        groups=store.groups(event_id),
        competencies=names,
        numbers=numbers,
        lang=lang,
        reporting=event.reporting,
        level_words=level_words,
        compared=compared,
    )


def competency_words(library, lang: str) -> tuple[dict[str, str], dict[str, dict[int, str]]]:
    """Each competency's name, and its levels' descriptors, in the current language."""
    names: dict[str, str] = {}
    level_words: dict[str, dict[int, str]] = {}
    for framework in library.frameworks.values():
        for c in framework.competencies:
            tr = c.translations.get(lang) if lang != framework.language else None
            names[c.id] = (tr.name if tr and tr.name else None) or c.name
            level_words[c.id] = {
                lv.level: (tr.levels.get(lv.level) if tr else None) or lv.descriptor for lv in c.levels
            }
    return names, level_words


def event_context(d: EventData) -> dict:
    return {"title": d.title, "dates": d.dates, "place": d.place or "", "organiser": d.organiser or ""}


def person_context(d: EventData, person: Participant) -> dict:
    return {
        "name": person.name,
        "position": person.position or "",
        "unit": d.units.get(person.unit_code or "", ""),
        "group": d.groups.get(person.group_code or "", ""),
        "agency": person.agency or "",
    }


# -- one participant ----------------------------------------------------------------------


def _percentile(scores: np.ndarray, x: float) -> float:
    """The percentile rank: the share of the phase's participants scoring lower, ties counting half."""
    below = np.searchsorted(scores, x, "left")
    equal = np.searchsorted(scores, x, "right") - below
    return 100.0 * (below + 0.5 * equal) / scores.size


MOMENT_TEXT = {
    "after_phase": lambda: _("{test}: shown once this test has closed for everyone: {what}."),
    "after_last_phase": lambda: _("{test}: shown once the last test of the event has closed: {what}."),
    "never": lambda: _("{test}: not shown in this event: {what}."),
}
ASPECT_TEXT = {
    "score": lambda: _("score"),
    "band": lambda: _("band"),
    "competencies": lambda: _("competency subscores"),
    "cohort_position": lambda: _("position in the cohort"),
    "own_answers": lambda: _("your answers"),
    "correct_answers": lambda: _("correct answers"),
    "explanations": lambda: _("explanations"),
    "sources": lambda: _("sources"),
}


def _hidden(ph: PhaseData, aspects: frozenset[str]) -> list[str]:
    by_moment: dict[str, list[str]] = {}
    for aspect, text in ASPECT_TEXT.items():
        if aspect not in aspects:
            moment = getattr(ph.review, aspect)
            by_moment.setdefault(moment if moment in MOMENT_TEXT else "after_phase", []).append(text())
    return [MOMENT_TEXT[m]().format(test=ph.title, what=", ".join(what)) for m, what in by_moment.items()]


def _levels(grading: Grading) -> tuple[int, int, int]:
    """(levels, least level of a strength, highest level to develop)."""
    n = len(grading.level_thresholds)
    k = round(0.4 * n)
    return n, n - k + 1, k


def participant_context(d: EventData, person: Participant) -> dict:
    n, lang, pid = d.numbers, d.lang, person.person_id
    phases, seen, notes, review, percentiles, corrections = [], [], [], [], [], []
    for ph in d.phases:
        row = ph.results.get(pid)
        if row is None:
            phases.append(
                dict.fromkeys(("score", "points", "band", "passed"), None)
                | {"title": ph.title, "taken": False, "provisional": False, "starting_point": False}
            )
            continue
        aspects = ph.seen if ph.status.get(row.attempt_id) in FINISHED else frozenset()
        seen.append((ph, row, aspects))
        score, band = "score" in aspects, "band" in aspects and ph.verdict != "none"
        passed = row.passed if ph.verdict == "pass_fail" else None
        phases.append(
            {
                "title": ph.title,
                "taken": True,
                "score": n.pct(row.percentage) if score else None,
                "points": f"{n.points(row.points)} / {n.points(row.max_points)}" if score else None,
                "band": ph.band(row.band, lang) if band else None,
                "passed": None
                if not band or passed is None
                else (_("passed") if passed else _("not passed yet")),
                "starting_point": ph.verdict == "none" and score,
                "provisional": bool(row.provisional) and score,
            }
        )
        notes += _hidden(ph, aspects)
        if "cohort_position" in aspects and ph.scores.size:
            percentiles.append(
                _(
                    "{test}: {share} of the {n} participants scored lower than you (ties count as half)."
                ).format(
                    test=ph.title,
                    share=n.pct(_percentile(ph.scores, row.percentage), 0),
                    n=n.count(ph.scores.size),
                )
            )
        if aspects & set(REVIEW_ITEMS) and ph.form is not None:
            review.append(_review(ph, row, aspects, n))
        if "score" in aspects:
            corrections += correction_lines(
                ph.title, ph.form, ph.changes, n, show_answers="correct_answers" in aspects
            )
    grading = d.phases[-1].grading
    judged = any(ph.verdict == "pass_fail" for ph in d.phases)
    return {
        "event": event_context(d),
        "person": person_context(d, person),
        "phases": phases,
        "pass_mark": n.pct(grading.pass_mark, 0) if grading.pass_mark is not None and judged else None,
        "gain": _gain(d, seen),
        "competencies": _competencies(d, seen),
        "percentiles": percentiles,
        "review": review,
        "hidden": notes,
        "corrections": corrections,
        "study": _study_next(d, seen),
    }


STUDY_TOPICS = 5


def _study_next(d: EventData, seen: list) -> str | None:
    """The topics of the items missed (not full marks) in the latest test whose keys may be shown, the
    most missed first, with how many: what to study next, in one line."""
    shown = [(ph, row) for ph, row, aspects in seen if "correct_answers" in aspects and ph.form is not None]
    if not shown:
        return None
    ph, row = shown[-1]
    missed: dict[str, int] = {}
    for item in ph.form.items:
        mark = row.items.get(item.id)
        if mark is None or mark.pending or mark.points >= mark.max_points:
            continue
        topic = item.topic or d.competencies.get(item.primary_competency, item.primary_competency)
        missed[topic] = missed.get(topic, 0) + 1
    if not missed:
        return None
    ranked = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:STUDY_TOPICS]
    topics = ", ".join(f"{t} ({d.numbers.count(k)})" for t, k in ranked)
    return _("Topics of the items not fully right in the {test} (how many): {topics}.").format(
        test=ph.title, topics=topics
    )


def _gain(d: EventData, seen: list) -> dict | None:
    if len(d.phases) < 2:
        return None
    by_id = {ph.id: (row, aspects) for ph, row, aspects in seen}
    first, last = d.phases[0], d.phases[-1]
    if first.id not in by_id or last.id not in by_id:
        return None
    (a, sa), (b, sb) = by_id[first.id], by_id[last.id]
    if "score" not in sa or "score" not in sb:
        return None
    pre, post = a.percentage, b.percentage
    g = (post - pre) / (100 - pre) if pre < 100 else math.nan
    n = d.numbers
    explained = _(
        "The gain is the post-test score minus the pre-test score, in percentage points. The "
        "normalised gain is the share of what you could still gain after the pre-test that you "
        "did gain: 1 is everything, 0 nothing, below 0 a drop."
    )
    if not d.gain_is_a_gain:
        explained = (
            _(
                "The two tests were different forms of the same course, not shown to be equally "
                "difficult: the difference of their scores is partly a difference of forms."
            )
            + " "
            + explained
        )
    return {
        "first": first.title,
        "last": last.title,
        "label": _("Gain") if d.gain_is_a_gain else _("Difference between the two forms' scores"),
        "gain": n.signed(post - pre),
        "normalised": n.signed(g, 2),
        "explained": explained,
    }


def not_measured() -> str:
    return _("not measured")


def too_few_items() -> str:
    return _("too few items to assess this competency")


def measured_cell(n: Numbers, m: Measured | None, score, result: Result | None = None) -> dict:
    """One competency in one phase for a participant: its score with ± its standard error and what it
    rests on, or why there is none."""
    if m is None:
        return {"text": not_measured(), "detail": "", "reported": False}
    rests = _("{items} items, {points} points").format(items=n.count(len(m.items)), points=n.points(m.points))
    if not m.enough:
        return {"text": too_few_items(), "detail": rests, "reported": False}
    if m.levels_only and result is not None:
        level = median_level(m, result)
        text = _("level {level} (median of the answers)").format(level=level) if level else n.pct(None)
        return {"text": text, "detail": rests, "reported": True}
    if score is None:
        return {"text": n.pct(None), "detail": rests, "reported": False}
    sem = m.sem(score.percentage)
    text = f"{n.pct(score.percentage)} ±\u00a0{n.dec(sem, 0)}"  # wraps, if it must, before the ±
    return {"text": text, "detail": rests, "reported": True}


def _competencies(d: EventData, seen: list) -> dict | None:
    shown = [(ph, row) for ph, row, aspects in seen if "competencies" in aspects]
    if not shown:
        return None
    n = d.numbers
    ids = list(dict.fromkeys(c for ph, _row in shown for c in ph.measured))
    if not ids:
        return None
    first, last = d.phases[0], d.phases[-1]
    two = len(d.phases) >= 2
    latest_phase = shown[-1][0]
    levels, strong, weak = _levels(latest_phase.grading)
    rows, strengths, develop, chart_rows, meanings = [], [], [], [], []
    any_binomial = False
    for c in ids:
        name = d.competencies.get(c, c)
        cells = []
        level = None
        for ph, row in shown:
            m = ph.measured.get(c)
            score = row.competencies.get(c)
            cells.append(measured_cell(n, m, score, row))
            if m is not None and m.enough:
                any_binomial = any_binomial or (m.method == "binomial" and not m.levels_only)
                # The level comes from the latest test that reported the competency.
                level = median_level(m, row) if m.levels_only else (score.level if score else None)
        rows.append(
            {
                "id": c,
                "name": name,
                "cells": cells,
                "level": _("{level} of {levels}").format(level=level, levels=levels) if level else "",
            }
        )
        pair = []
        for p in (first, last) if two else (first,):
            m, row = p.measured.get(c), next((r for ph, r in shown if ph.id == p.id), None)
            ok = (
                m is not None and m.enough and not m.levels_only and row is not None and c in row.competencies
            )
            pair.append(row.competencies[c].percentage if ok else None)
        if any(v is not None for v in pair):
            chart_rows.append((f"{name} ({c})", *pair))
        if level:
            words = d.level_words.get(c, {}).get(level)
            if words:
                meanings.append(
                    _("{name}, level {level}: {words}").format(name=name, level=level, words=words)
                )
            said = _("{name}: level {level} of {levels}").format(name=name, level=level, levels=levels)
            if level >= strong:
                strengths.append(said)
            elif level <= weak:
                develop.append(said)
    chart = (
        charts.paired_bars(
            "competencies",
            chart_rows,
            (first.title, last.title) if two else (first.title,),
            _("Share of the competency's points (%)"),
            lambda v: n.pct(v, 0),
            _("Competencies: pre-test and post-test"),
        )
        if chart_rows
        else ""
    )
    return {
        "phases": [ph.title for ph, _row in shown],
        "rows": rows,
        "chart": chart,
        "strengths": strengths,
        "develop": develop,
        "meanings": meanings,
        "levels": n.count(levels),
        "minimum": n.count(d.reporting.min_items_per_competency),
        "binomial": any_binomial,
    }


def _review(ph: PhaseData, row: Result, aspects: frozenset[str], n: Numbers) -> dict:
    form = ph.form
    answers = ph.answers.get(row.attempt_id, {})
    own, keys = "own_answers" in aspects, "correct_answers" in aspects
    items = []
    for k, item in enumerate(form.items, 1):
        t = ph.texts[item.id]
        mark = row.items.get(item.id)
        entry = {
            "number": k,
            "stem": t.stem,
            "answer": None,
            "key": t.key if keys else None,
            "points": None,
            "explanation": t.explanation if "explanations" in aspects else None,
            "sources": t.sources if "sources" in aspects else "",
        }
        entry["mark"] = None
        entry["parts"] = []
        if own:
            value = answers.get(item.id)
            entry["answer"] = answer_text(item, t, value, n) or _("(no answer)")
            if keys and mark is not None:
                if mark.pending:
                    entry["points"] = _("waiting for marking")
                else:
                    entry["points"] = f"{n.points(mark.points)} / {n.points(mark.max_points)}"
                    entry["mark"] = _mark(mark.points, mark.max_points)
                entry["parts"] = answer_parts(item, t, value)
        items.append(entry)
    return {"title": ph.title, "own": own, "show_key": keys, "entries": items}


MARKS = {
    "right": ("✓", lambda: _("right")),
    "partial": ("◐", lambda: _("partly right")),
    "wrong": ("✗", lambda: _("wrong")),
}


def _mark(points: float, top: float) -> dict:
    kind = "right" if top > 0 and points >= top else ("wrong" if points <= 0 else "partial")
    symbol, words = MARKS[kind]
    return {"kind": kind, "symbol": symbol, "words": words()}


# -- the index ------------------------------------------------------------------------------


def held_back(d: EventData) -> list[str]:
    """For the trainer, at the top of the index: each test with results that participant reports still
    hold back something from because it (or the last test) is not closed, what, and how to close it."""
    notes = []
    for ph in d.phases:
        waiting = [
            text()
            for aspect, text in ASPECT_TEXT.items()
            if aspect not in ph.seen and getattr(ph.review, aspect) in ("after_phase", "after_last_phase")
        ]
        if ph.results and waiting:
            notes.append(
                _(
                    "{test} is not closed (or the event's last test is not): participant reports hold back "
                    "{what}. Close it with assess phase close --phase {phase} (or Tutup dan nilai on the "
                    "dashboard), then write the reports again."
                ).format(test=ph.title, what=", ".join(waiting), phase=ph.id)
            )
    return notes


def index_context(d: EventData, *, has_items: bool, written_at) -> dict:
    return {
        "held_back": held_back(d),
        "event": event_context(d),
        "written": d.numbers.moment(written_at, d.time_zone),
        "has_items": has_items,
        "phases": [
            {"title": ph.title, "taken": d.numbers.count(len(ph.results)), "closed": ph.closed}
            for ph in d.phases
        ],
        "people": [_index_person(d, p) for p in d.people],
        "n_people": d.numbers.count(len(d.people)),
    }


def _index_person(d: EventData, person: Participant) -> dict:
    who = person_context(d, person)
    return {
        "name": who["name"],
        "detail": " · ".join(x for x in (who["position"], who["unit"]) if x),
        "href": "participants/" + d.report_file(person.person_id),
    }
