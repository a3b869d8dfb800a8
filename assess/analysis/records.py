"""Pre/post results as plain records for JSON and the terminal (`None` where a value cannot be
derived, never NaN), and every statistic of a pairs file from any other system.

Pure: the pairs come read (`assess.sheets.pairs`), the statistics from `assess.analysis.prepost`.
An event's own results are paired in `assess.workspace.prepost`.
"""

from __future__ import annotations

import math
import warnings

from assess.analysis.prepost import DegenerateDataWarning, PrePostResult, prepost
from assess.sheets.pairs import PairsFile


def number(value) -> float | int | None:
    """A JSON-safe number: None for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def run_prepost(pre, post, **options) -> PrePostResult:
    """`prepost` with its degenerate-data warnings silenced: the records show None instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        return prepost(pre, post, **options)


def record(r: PrePostResult) -> dict:
    """The issue's keys first (n ... wilcoxon_p), then the conventions and details used."""
    ci = r.confidence_interval()
    # Equal differences (all 0, or all the same gain): t is infinite or undefined and the interval
    # has no width; the t-test does not apply, and the record says so instead of t = inf, p = 0.
    t_test = "too_few_pairs" if r.n < 2 else "no_variance" if r.ttest.standard_error == 0 else "done"
    applies = t_test == "done"
    return {
        "n": r.n,
        "n_unpaired": r.n_unpaired,
        "n_ceiling": r.gain.n_ceiling,
        "ceiling_rule": r.gain.ceiling_rule,
        "mean_pre": number(r.mean_pre),
        "mean_post": number(r.mean_post),
        "mean_gain": number(r.mean_gain),
        "hake_g": number(r.gain.hake_g),
        "g_ave": number(r.gain.g_ave),
        "t": number(r.ttest.statistic) if applies else None,
        "df": r.ttest.df if r.n >= 2 else None,
        "p": number(r.ttest.pvalue) if applies else None,
        "ci_low": number(ci.low) if applies else None,
        "ci_high": number(ci.high) if applies else None,
        "d_z": number(r.effects.d_z),
        "d_av": number(r.effects.d_av),
        "hedges_g_z": number(r.effects.hedges_g_z),
        "wilcoxon_v": number(r.wilcoxon.statistic),
        "wilcoxon_p": number(r.wilcoxon.pvalue),
        "max_score": r.max_score,
        "gain_method": r.gain.method,
        "n_out_of_range": r.gain.n_out_of_range,
        "sd_pre": number(r.sd_pre),
        "sd_post": number(r.sd_post),
        "sd_gain": number(r.sd_gain),
        "confidence_level": r.confidence_level,
        "wilcoxon_method": r.wilcoxon.method if r.n else None,
        "wilcoxon_n_zero": r.wilcoxon.n_zero,
        "wilcoxon_ties": r.wilcoxon.ties,
        "t_test": t_test,
    }


def pairs_record(pairs: PairsFile, **options) -> dict:
    """Every statistic of a pairs file, with its unpaired rows listed (id, the phase it has)."""
    result = run_prepost(pairs.pre, pairs.post, **options)
    unpaired = []
    for k in result.unpaired:
        has = [name for name, x in (("pre", pairs.pre[k]), ("post", pairs.post[k])) if not math.isnan(x)]
        unpaired.append({"id": pairs.ids[k], "line": pairs.lines[k], "phase": has[0] if has else None})
    return {**record(result), "unpaired": unpaired}
