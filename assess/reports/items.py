"""The item report (items.html): per phase and item, facility, discrimination, distractor bars and flags
with a suggested fix; each phase's reliability; the items that changed most between pre and post.

For whoever maintains the banks: it shows keys and item statistics, and no
participant's name or answers (only counts and proportions of the group).
Built from the stored results through the analysis functions
(`assess.workspace.item_analysis.event_matrix`, `assess.analysis.items.analyze_items`,
`assess.workspace.prepost.load_event_pairs`, `assess.analysis.mcnemar`);
every value arrives in the template formatted for the chosen language.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from markupsafe import Markup, escape

from assess.analysis.distractors import OptionAnalysis
from assess.analysis.items import Thresholds, analyze_items
from assess.analysis.mcnemar import mcnemar
from assess.analysis.test_stats import DegenerateDataWarning
from assess.bank.model import Matching, TrueFalse
from assess.delivery.paper import TYPE_NAMES, event_dates
from assess.i18n import N_, _
from assess.i18n.numbers import numbers
from assess.problems import Phrase, ProblemsFound
from assess.problems.codes import MESSAGES
from assess.reports.corrections import correction_lines
from assess.sheets.write import private_file, private_folder
from assess.templating import render
from assess.workspace.adjust import item_changes
from assess.workspace.item_analysis import event_matrix
from assess.workspace.prepost import load_event_pairs

REPORT_FILE = "items.html"
CHANGED_SHOWN = 10  # items listed as changed most between pre and post
STEM_CHARS = 220
OPTION_CHARS = 48
CHART_CHARS = 34  # an option's text in the chart: the table beside it has more
CONFIDENCE = 0.95
TARGET_RELIABILITY = 0.8

FIXES = {  # a suggested fix per flag code
    "ANALYZE-ITEM-TOO-EASY": N_(
        "Make the distractors more plausible, or keep the item only if it checks a point everyone must know."
    ),
    "ANALYZE-ITEM-TOO-HARD": N_(
        "Check the key and the wording first; if both are right, the topic needs more time in the course."
    ),
    "ANALYZE-ITEM-NO-VARIANCE": N_("Rewrite or replace the item: in this group it tells nobody apart."),
    "ANALYZE-ITEM-NEGATIVE-DISCRIMINATION": N_(
        "Check the key; then look for a stem that can be read two ways or a second defensible answer."
    ),
    "ANALYZE-ITEM-LOW-DISCRIMINATION": N_(
        "Review the wording and the distractors, so that those who know and those who guess answer apart."
    ),
    "ANALYZE-DISTRACTOR-UNCHOSEN": N_("Replace this option with a mistake participants really make."),
    "ANALYZE-DISTRACTOR-RARE": N_("Make this option more plausible, or replace it."),
    "ANALYZE-DISTRACTOR-UPPER": N_(
        "Check whether this option is also right or the key is wrong; reword it so that it is clearly wrong."
    ),
}


# -- numbers ------------------------------------------------------------------------


def _shown_params(params) -> dict:
    return {k: numbers().upto(v, 3) if isinstance(v, float) else v for k, v in params.items()}


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- distractor bars ----------------------------------------------------------------

BAR_WIDTH, LABEL_H, BAR_H, GAP, BLOCK_GAP, LEFT, TEXT_W = 260, 16, 10, 2, 9, 4, 52
UPPER_FILL, LOWER_FILL = "#222", "#fff"  # dark and outlined: apart in greyscale


def _text(x: float, y: float, text: str, **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def distractor_svg(rows: list[dict], title: str) -> Markup:
    """Per option, the share of the upper and of the lower group who chose it: two bars each, labelled
    with their values; the keyed option marked in words; a 0-100% axis with its title."""
    top = 22  # the legend
    height = top + len(rows) * (LABEL_H + 2 * BAR_H + 2 * GAP + BLOCK_GAP) + 40
    width = LEFT + BAR_WIDTH + TEXT_W
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="bars">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="4" width="10" height="9" fill="{UPPER_FILL}" stroke="#000"/>',
        _text(LEFT + 14, 12, _("upper group"), font_size="11"),
        f'<rect x="{LEFT + 120}" y="4" width="10" height="9" fill="{LOWER_FILL}" stroke="#000"/>',
        _text(LEFT + 134, 12, _("lower group"), font_size="11"),
    ]
    y = top
    for row in rows:
        label = _short(row["label"], CHART_CHARS) + ("  ✓ " + _("key") if row["key"] else "")
        out.append(_text(LEFT, y + 12, label, font_size="11", font_weight="bold" if row["key"] else "normal"))
        y += LABEL_H
        for share, fill, name in ((row["upper"], UPPER_FILL, "upper"), (row["lower"], LOWER_FILL, "lower")):
            w = 0.0 if share is None or math.isnan(share) else max(0.0, min(1.0, share)) * BAR_WIDTH
            out.append(
                f'<rect x="{LEFT}" y="{y:.1f}" width="{w:.1f}" height="{BAR_H}" fill="{fill}" '
                f'stroke="#000" stroke-width="0.8" data-group="{name}"/>'
            )
            out.append(_text(LEFT + w + 4, y + BAR_H - 1, numbers().share(share), font_size="10"))
            y += BAR_H + GAP
        y += BLOCK_GAP
    axis = y + 2
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{LEFT + BAR_WIDTH}" y2="{axis}" stroke="#000"/>')
    for tick in (0, 0.5, 1):
        x = LEFT + tick * BAR_WIDTH
        out.append(f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 4}" stroke="#000"/>')
        anchor = "start" if tick == 0 else "end" if tick == 1 else "middle"
        out.append(_text(x, axis + 15, numbers().share(tick), font_size="10", text_anchor=anchor))
    out.append(
        _text(
            LEFT + BAR_WIDTH / 2,
            axis + 31,
            _("share of the group who chose it"),
            font_size="10",
            text_anchor="middle",
        )
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()


# -- one phase ----------------------------------------------------------------------


def _option_label(item, option_id: str) -> str:
    if isinstance(item, TrueFalse):
        return _("True") if option_id == "true" else _("False")
    parts = item.choices if isinstance(item, Matching) else getattr(item, "options", [])
    text = next((o.text for o in parts if o.id == option_id), "")
    return f"{option_id} · {_short(text, OPTION_CHARS)}"


def _distractors(item, found: OptionAnalysis) -> dict:
    rows = [
        {
            "label": _option_label(item, o.option),
            "key": o.key,
            "upper": o.upper,
            "lower": o.lower,
            "all": o.proportion,
        }
        for o in found.options
    ]
    title = _("Options of {item} chosen by the upper and the lower group").format(item=item.id)
    table = [
        {
            "label": r["label"],
            "key": r["key"],
            "all": numbers().share(r["all"]),
            "upper": numbers().share(r["upper"]),
            "lower": numbers().share(r["lower"]),
        }
        for r in rows
    ]
    blank = _("left blank: {n} ({share})").format(
        n=found.blank, share=numbers().share(found.blank / found.n if found.n else None)
    )
    return {"svg": distractor_svg(rows, title), "rows": table, "blank": blank}


def _flags(flags) -> list[dict]:
    return [
        {
            "code": f.code,
            "message": str(Phrase(MESSAGES[f.code], _shown_params(f.params))),
            "fix": _(FIXES[f.code]) if f.code in FIXES else "",
        }
        for f in flags
    ]


def _reliability(a) -> dict:
    ci = a.alpha_ci
    level = numbers().share(a.confidence_level)
    has_ci = not math.isnan(ci.low)
    return {
        "alpha": numbers().dec(a.test.alpha, 2),
        "interval": _("{level} interval {low} to {high} (Feldt)").format(
            level=level, low=numbers().dec(ci.low, 2), high=numbers().dec(ci.high, 2)
        )
        if has_ci
        else "",
        "sem": numbers().dec(a.test.sem, 2),
        "sentence": _(
            "Alpha says how consistently the items measure the same thing, from 0 to 1: 0.7 or more is "
            "usually enough to compare groups, 0.8 or more to decide about one person."
        ),
        "range": _("With {level} confidence the form's alpha lies between {low} and {high}.").format(
            level=level, low=numbers().dec(ci.low, 2), high=numbers().dec(ci.high, 2)
        )
        if has_ci
        else _("Too few participants or items to estimate the interval."),
        "target": _("About {n} items of the same kind would reach an alpha of {target}.").format(
            n=a.items_for_target, target=numbers().dec(a.target_reliability, 1)
        )
        if a.items_for_target is not None and a.test.alpha < a.target_reliability
        else "",
    }


def phase_context(ws, phase_id: str) -> dict:
    event = ws.loaded.event
    base = {"id": phase_id, "title": event.phase_title(phase_id), "note": "", "entries": []}
    if not ws.store.has_form(ws.event_id, phase_id):
        return {**base, "note": _("No form has been built for this phase yet.")}
    try:
        data = event_matrix(ws, phase_id)
    except ProblemsFound:
        return {**base, "note": _("No scored results for this phase yet.")}
    form = ws.store.form(ws.event_id, phase_id)
    m = data.matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        a = analyze_items(
            m.marks,
            m.max_marks,
            ids=m.ids,
            random_guess=data.random_guess,
            choices=data.choices,
            confidence_level=CONFIDENCE,
            target_reliability=TARGET_RELIABILITY,
        )
    s = a.items
    number = {item_id: k for k, item_id in enumerate(form.variants[0].items, 1)}
    items = []
    for j, item_id in enumerate(s.ids):
        item = form.item(item_id)
        found = a.options.get(item_id) if a.options else None
        items.append(
            {
                "id": item_id,
                "anchor": f"{phase_id}-{item_id}",
                "number": number.get(item_id, ""),
                "type": _(TYPE_NAMES[item.type]),  # type: ignore[attr-defined]
                "competency": ", ".join(item.competencies),
                "stem": _short(item.stem, STEM_CHARS),
                "facility": numbers().dec(s.facility[j], 2),
                "discrimination": numbers().dec(s.item_rest_r[j], 2),
                "upper_lower": numbers().dec(s.upper_lower_d[j], 2),
                "flags": _flags(a.flags[j]),
                "flag_count": str(len(a.flags[j])) if a.flags[j] else "",
                "distractors": _distractors(item, found) if found is not None else None,
            }
        )
    return {
        **base,
        "corrections": correction_lines(base["title"], form, item_changes(ws, phase_id), numbers()),
        "facility_by_id": {i: float(s.facility[j]) for j, i in enumerate(s.ids)},
        "summary": _("{n} participants, {k} items").format(n=a.test.n, k=a.test.k),
        "reliability": _reliability(a),
        "pending": _("Left out until their marks are in: {ids}").format(ids=", ".join(data.pending_items))
        if data.pending_items
        else "",
        "corrected": _("Left out, dropped or given full credit after the test: {ids}").format(
            ids=", ".join(data.corrected_items)
        )
        if data.corrected_items
        else "",
        "groups": _(
            "Upper and lower groups: the {share} with the highest and the lowest totals, {size} each."
        ).format(share=numbers().share(s.groups.fraction), size=s.groups.size),
        "flagged": sum(1 for f in a.flags if f),
        "entries": items,
    }


# -- pre and post -------------------------------------------------------------------


def changes_context(ws, phases: list[dict]) -> dict:
    """The items on both the first and the last phase's forms whose facility changed most."""
    analysed = [p for p in phases if p.get("facility_by_id")]
    event = ws.loaded.event
    ids = [p.id for p in event.phases]
    if len(ids) < 2:
        return {
            "note": _("The event has one phase: there is nothing to compare."),
            "rows": [],
            "pre": "",
            "post": "",
        }
    pre, post = ids[0], ids[-1]
    names = {"pre": event.phase_title(pre), "post": event.phase_title(post)}
    by_id = {p["id"]: p for p in analysed}
    if pre not in by_id or post not in by_id:
        return {
            "note": _("Both phases need scored results before items can be compared."),
            "rows": [],
            **names,
        }
    before, after = by_id[pre]["facility_by_id"], by_id[post]["facility_by_id"]
    common = [i for i in before if i in after]
    if not common:
        phase = event.phase(post)
        note = (
            _(
                "The post-test is a parallel form of the pre-test with no items in common, so no item can be "
                "compared between them; the cohort report compares the competencies."
            )
            if phase.parallel_to == pre
            else _("The two forms have no items in common.")
        )
        return {"note": note, "rows": [], **names}
    pairs = load_event_pairs(ws.store, ws.event_id, pre, post)
    paired = {i.id: mcnemar(i.pre, i.post) for i in pairs.items}
    common.sort(key=lambda i: (-abs(after[i] - before[i]), i))
    rows = [
        {
            "id": i,
            "anchor": f"{post}-{i}",
            "pre": numbers().dec(before[i], 2),
            "post": numbers().dec(after[i], 2),
            "change": ("+" if after[i] - before[i] > 0 else "") + numbers().dec(after[i] - before[i], 2),
            "p": numbers().p(paired[i].exact_pvalue) if i in paired else "–",
        }
        for i in common[:CHANGED_SHOWN]
    ]
    note = _("{n} items are on both forms; the {shown} whose facility changed most:").format(
        n=len(common), shown=len(rows)
    )
    return {"note": note, "rows": rows, **names}


# -- the page -----------------------------------------------------------------------


def items_context(ws) -> dict:
    event = ws.loaded.event
    phases = [phase_context(ws, p.id) for p in event.phases]
    thresholds = Thresholds()
    return {
        "event": event.event.title,
        "dates": event_dates(event),
        "phases": phases,
        "changes": changes_context(ws, phases),
        "legend": _(
            "Facility: the share of the item's points the group earned (0 to 1). Discrimination: item-rest "
            "r, how well the item agrees with the rest of the test (below {low} is weak, negative is a "
            "warning). D: the upper group's facility less the lower group's."
        ).format(low=numbers().dec(thresholds.low_discrimination, 1)),
    }


def write_items_report(ws, out_dir: Path) -> Path:
    """Write items.html into `out_dir` and return its path."""
    html = render("report/items.html", **items_context(ws))
    private_folder(out_dir)
    path = out_dir / REPORT_FILE
    private_file(path).write_text(html, encoding="utf-8")
    return path
