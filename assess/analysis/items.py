"""Item statistics of a matrix of marks, people x items, each item with its maximum (pure: no I/O).

Moodle's statistics, exactly as its quiz statistics report computes them
(`question/classes/statistics/questions/calculator.php`), with every variance
and covariance divided by n - 1, x an item's marks, T the total and T - x the
rest of the test:

- facility = mean(x) / max, a proportion 0..1; sd = sd(x), in the item's marks;
- intended weight = 100 max / sum of the maxima;
- effective weight = 100 sqrt(cov(x, T)) / sum over items of sqrt(cov(x_j, T)),
  the sum over the items whose covariance is not negative; NaN for an item
  whose covariance is negative, and for all when the sum is 0;
- discrimination index = 100 cov(x, T - x) / sqrt(var(x) var(T - x));
- discriminative efficiency = 100 cov(x, T - x) / covmax, covmax the same
  covariance after sorting x and T - x independently.

And the classical ones:

- item-total r: Pearson's r of x with T (the point-biserial for a 0/1 item);
- item-rest r: Pearson's r of x with T - x (= discrimination index / 100);
- upper-lower D = (mean of x in the upper group - mean in the lower group) / max,
  groups of `upper_fraction` (default 0.27, Kelley) of the people by total
  score; see `upper_lower_groups` for the size and the tie rule;
- alpha if item deleted: Cronbach's alpha of the other k - 1 items (k >= 3);
- random guess score: given by the caller, who knows the item types (NaN unknown).

Values that cannot be derived (fewer than two people, an item or the rest
without variance) are NaN, with a DegenerateDataWarning.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assess.analysis.distractors import RARE_OPTION, Choices, Flag, OptionAnalysis, option_analysis
from assess.analysis.test_stats import (
    ConfidenceInterval,
    DegenerateDataWarning,
    Moments,
    ScoreStatistics,
    matrix_iv,
    statistics_from_moments,
)

UPPER_FRACTION = 0.27  # Kelley (1939)
TIE_RULES = ("fractional", "order")
TOTAL_DECIMALS = 9  # totals equal to this many decimals are ties


# -- upper and lower groups ------------------------------------------------------


@dataclass(frozen=True)
class Groups:
    """Each person's weight (0..1) in the upper and the lower group; each group's weights sum to `size`."""

    upper: np.ndarray
    lower: np.ndarray
    size: int
    fraction: float
    ties: str


def group_size(n: int, fraction: float) -> int:
    """round(fraction n), halves up, at most n // 2 so that the groups never overlap."""
    return min(math.floor(fraction * n + 0.5), n // 2)


def _fractional(key: np.ndarray, g: int) -> np.ndarray:
    """Weights of the g highest values of `key`; those tied at the boundary share the places left."""
    weights = np.zeros(key.size)
    if g == 0:
        return weights
    boundary = np.partition(key, key.size - g)[key.size - g]
    above = key > boundary
    tied = key == boundary
    weights[above] = 1.0
    weights[tied] = (g - int(above.sum())) / int(tied.sum())
    return weights


def upper_lower_groups(totals, fraction: float = UPPER_FRACTION, *, ties: str = "fractional") -> Groups:
    """The upper and lower groups by total score, g = round(fraction n) places each.

    Halves round up, and g is at most n // 2 so that the groups never overlap.

    Totals equal to 9 decimals are ties. Tie rules at a group's boundary:
    - "fractional" (default): the people tied at the boundary share the
      group's remaining places equally (each counts with weight places / tied),
      so the result does not depend on the order of the rows;
    - "order": a stable ranking, highest total first and ties in row order;
      the upper group is the first g of it, the lower group the last g.
    """
    if ties not in TIE_RULES:
        raise ValueError(f"`ties` must be one of {', '.join(TIE_RULES)}, not {ties!r}")
    if not 0 < fraction <= 0.5:
        raise ValueError("`fraction` must be more than 0 and at most 0.5")
    t = np.round(np.asarray(totals, dtype=np.float64), TOTAL_DECIMALS)
    n = t.size
    g = group_size(n, fraction)
    if ties == "fractional":
        return Groups(_fractional(t, g), _fractional(-t, g), g, fraction, ties)
    rank = np.argsort(-t, kind="stable")
    upper, lower = np.zeros(n), np.zeros(n)
    upper[rank[:g]] = 1.0
    lower[rank[n - g :]] = 1.0
    return Groups(upper, lower, g, fraction, ties)


# -- item statistics -------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatistics:
    """One array per statistic, one value per item (NaN where undefined). Percentages as Moodle shows them."""

    ids: tuple[str, ...]
    max_marks: np.ndarray
    n: int
    facility: np.ndarray
    sd: np.ndarray
    random_guess_score: np.ndarray
    intended_weight: np.ndarray  # %
    effective_weight: np.ndarray  # %
    discrimination_index: np.ndarray  # %
    discriminative_efficiency: np.ndarray  # %
    item_total_r: np.ndarray
    item_rest_r: np.ndarray
    upper_lower_d: np.ndarray
    alpha_if_deleted: np.ndarray
    groups: Groups
    # Moodle's intermediate values (n - 1): covariance, othermarkvariance, covariancemax
    rest_covariance: np.ndarray  # cov(x, T - x)
    rest_variance: np.ndarray  # var(T - x)
    covariance_max: np.ndarray


def _ratio(num: np.ndarray, den: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    out[ok] = num[ok] / den[ok]
    return out


def _covmax(x: np.ndarray, rest_of: np.ndarray, means: np.ndarray, n: int) -> np.ndarray:
    """Moodle's covariancemax: cov of x and T - x after sorting each independently (n - 1).

    Marks that are whole quarters (0/1, halves, 0..4: nearly every test) are counted instead of
    sorted: a sorted column is its distinct values repeated by their counts, so the sum over ranks
    is a sum over the runs the two sorted columns share, O(n) per item. Other marks are sorted.
    """
    k = x.shape[1]
    out = np.empty(k)
    total_codes = _quarter_codes(rest_of)
    for j in range(k):
        column = x[:, j]
        mark_mean = means[j]
        codes = _quarter_codes(column) if total_codes is not None else None
        if codes is not None:
            rest_codes = total_codes - codes
            rest_mean = float(rest_codes.mean()) / QUARTERS
            out[j] = _runs_product(codes, rest_codes, mark_mean, rest_mean) / (n - 1)
        else:
            rest = rest_of - column
            out[j] = np.dot(np.sort(column) - mark_mean, np.sort(rest) - rest.mean()) / (n - 1)
    return out


QUARTERS = 4  # marks counted as whole quarters
_MAX_CODE_RANGE = 1 << 22  # beyond this many distinct quarters, sorting is cheaper than counting


def _quarter_codes(values: np.ndarray) -> np.ndarray | None:
    """`values` x 4 as integers, when every value is a whole quarter in a modest range; else None."""
    scaled = values * QUARTERS
    codes = np.rint(scaled)
    if not np.array_equal(codes, scaled) or (len(codes) and codes.max() - codes.min() > _MAX_CODE_RANGE):
        return None
    return codes.astype(np.int64)


def _runs_product(codes: np.ndarray, rest_codes: np.ndarray, mark_mean: float, rest_mean: float) -> float:
    """sum over ranks i of (sorted x)_i - mean, times (sorted rest)_i - mean, from the counts."""
    mark_values, mark_ends = _runs(codes)
    rest_values, rest_ends = _runs(rest_codes)
    ends = np.union1d(mark_ends, rest_ends)  # where either sorted column changes value
    starts = np.concatenate(([0], ends[:-1]))
    marks = mark_values[np.searchsorted(mark_ends, starts, side="right")] - mark_mean
    rests = rest_values[np.searchsorted(rest_ends, starts, side="right")] - rest_mean
    return float(np.sum((ends - starts) * marks * rests))


def _runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (as marks) in ascending order, and the rank after each one's last copy."""
    low = codes.min()
    counts = np.bincount(codes - low)
    present = np.flatnonzero(counts)
    return (present + low) / QUARTERS, np.cumsum(counts[present])


def statistics_of_items(
    m: Moments,
    x: np.ndarray,
    max_marks: np.ndarray,
    *,
    ids: Sequence[str],
    random_guess: np.ndarray,
    groups: Groups,
) -> ItemStatistics:
    """ItemStatistics from precomputed moments (shared with the test statistics)."""
    k, n = m.k, m.n
    var = np.diag(m.cov).copy()
    cov_total = m.cov.sum(axis=1)  # cov(x_j, T)
    total_var = float(m.cov.sum())
    cov_rest = cov_total - var  # cov(x_j, T - x_j)
    rest_var = total_var - 2 * cov_total + var
    scale = max(total_var, float(var.max(initial=0.0))) if n > 1 else 0.0
    rest_var[np.abs(rest_var) <= 1e-12 * scale] = 0.0  # a rest without variance, less rounding
    enough = n > 1
    discrimination = _ratio(
        100 * cov_rest, np.sqrt(np.maximum(var * rest_var, 0)), enough & (var * rest_var > 0)
    )
    item_total = _ratio(cov_total, np.sqrt(np.maximum(var * total_var, 0)), enough & (var * total_var > 0))
    effective = np.full(k, np.nan)
    if enough:
        positive = cov_total >= 0
        root_sum = float(np.sqrt(cov_total[positive]).sum())
        if root_sum:
            effective[positive] = 100 * np.sqrt(cov_total[positive]) / root_sum
    efficiency = covmax = np.full(k, np.nan)
    if enough:
        covmax = _covmax(x, m.totals, m.means, n)
        efficiency = _ratio(100 * cov_rest, covmax, covmax != 0)
    alpha_deleted = np.full(k, np.nan)
    if enough and k >= 3:
        alpha_deleted = _ratio(
            (k - 1) * (rest_var - (var.sum() - var)), (k - 2) * rest_var, rest_var > 0
        )  # (k-1)/(k-2) (1 - sum of the others' variances / var(T - x_j))
    d = np.full(k, np.nan)
    if groups.size > 0:
        d = ((groups.upper - groups.lower) @ x) / (groups.size * max_marks)
    if enough and (var == 0).any():
        warnings.warn(
            f"{int((var == 0).sum())} item(s) have no variance: their correlations are undefined",
            DegenerateDataWarning,
            stacklevel=3,
        )
    return ItemStatistics(
        ids=tuple(ids),
        max_marks=max_marks,
        n=n,
        facility=m.means / max_marks,
        sd=np.sqrt(var),
        random_guess_score=random_guess,
        intended_weight=100 * max_marks / max_marks.sum(),
        effective_weight=effective,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        item_total_r=item_total,
        item_rest_r=discrimination / 100,
        upper_lower_d=d,
        alpha_if_deleted=alpha_deleted,
        groups=groups,
        rest_covariance=cov_rest if enough else np.full(k, np.nan),
        rest_variance=rest_var if enough else np.full(k, np.nan),
        covariance_max=covmax,
    )


def _ids_iv(ids: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if ids is None:
        return tuple(f"item{j + 1}" for j in range(k))
    if len(ids) != k:
        raise ValueError(f"`ids` needs one id per item ({k}), got {len(ids)}")
    return tuple(str(i) for i in ids)


def _guess_iv(random_guess, k: int) -> np.ndarray:
    if random_guess is None:
        return np.full(k, np.nan)
    guess = np.asarray(random_guess, dtype=np.float64)
    if guess.shape != (k,):
        raise ValueError(f"`random_guess` needs one value per item ({k}), NaN where unknown")
    return guess


def item_statistics(
    marks,
    max_marks=1.0,
    *,
    ids: Sequence[str] | None = None,
    random_guess=None,
    upper_fraction: float = UPPER_FRACTION,
    ties: str = "fractional",
) -> ItemStatistics:
    """Every item statistic of a people x items matrix of marks (see the module for the definitions)."""
    x, top = matrix_iv(marks, max_marks)
    m = Moments.of(x)
    groups = upper_lower_groups(m.totals, upper_fraction, ties=ties)
    return statistics_of_items(
        m, x, top, ids=_ids_iv(ids, m.k), random_guess=_guess_iv(random_guess, m.k), groups=groups
    )


# -- flags ----------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """When an item or a distractor is flagged."""

    easy_above: float = 0.9  # facility above this: too easy
    hard_below: float = 0.2  # facility below this: too hard
    low_discrimination: float = 0.2  # item-rest r below this (and not negative): low (Ebel's "poor")
    rare_option: float = RARE_OPTION  # a distractor chosen by fewer than this proportion


def item_flags(stats: ItemStatistics, thresholds: Thresholds = Thresholds()) -> list[list[Flag]]:
    """Per item: too easy, too hard, no variance, negative or low discrimination (item-rest r)."""
    out = []
    for j in range(len(stats.ids)):
        found = []
        facility = float(stats.facility[j])
        if facility > thresholds.easy_above:
            found.append(
                Flag(
                    "ANALYZE-ITEM-TOO-EASY", {"facility": round(facility, 3), "limit": thresholds.easy_above}
                )
            )
        if facility < thresholds.hard_below:
            found.append(
                Flag(
                    "ANALYZE-ITEM-TOO-HARD", {"facility": round(facility, 3), "limit": thresholds.hard_below}
                )
            )
        r = float(stats.item_rest_r[j])
        if stats.n > 1 and stats.sd[j] == 0:
            found.append(Flag("ANALYZE-ITEM-NO-VARIANCE", {}))
        elif r < 0:
            found.append(Flag("ANALYZE-ITEM-NEGATIVE-DISCRIMINATION", {"r": round(r, 3)}))
        elif r < thresholds.low_discrimination:
            found.append(
                Flag(
                    "ANALYZE-ITEM-LOW-DISCRIMINATION",
                    {"r": round(r, 3), "limit": thresholds.low_discrimination},
                )
            )
        out.append(found)
    return out


# -- everything at once: what `assess analyze items` calls --------------------------------


@dataclass(frozen=True)
class ItemAnalysis:
    items: ItemStatistics
    test: ScoreStatistics
    flags: tuple[tuple[Flag, ...], ...]  # per item, its distractors' flags included
    options: Mapping[str, OptionAnalysis] | None  # per choice item, when the chosen options are known
    alpha_ci: ConfidenceInterval
    confidence_level: float
    target_reliability: float
    items_for_target: int | None


def analyze_items(
    marks,
    max_marks=1.0,
    *,
    ids: Sequence[str] | None = None,
    random_guess=None,
    choices: Mapping[str, Choices] | None = None,
    upper_fraction: float = UPPER_FRACTION,
    ties: str = "fractional",
    target_reliability: float = 0.8,
    confidence_level: float = 0.95,
    kr21_ddof: int = 0,
    thresholds: Thresholds = Thresholds(),
) -> ItemAnalysis:
    """Item statistics, test statistics and flags (and distractors, given `choices` by item id)."""
    if not 0 < target_reliability < 1:
        raise ValueError("`target_reliability` must be between 0 and 1")
    x, top = matrix_iv(marks, max_marks)
    m = Moments.of(x)
    item_ids = _ids_iv(ids, m.k)
    groups = upper_lower_groups(m.totals, upper_fraction, ties=ties)
    items = statistics_of_items(
        m, x, top, ids=item_ids, random_guess=_guess_iv(random_guess, m.k), groups=groups
    )
    test = statistics_from_moments(m, x, top, kr21_ddof=kr21_ddof)
    flags = item_flags(items, thresholds)
    options = None
    if choices is not None:
        options = {}
        for j, item_id in enumerate(item_ids):
            if item_id in choices:
                c = choices[item_id]
                found = option_analysis(
                    c.chosen, m.totals - x[:, j], groups, option_ids=c.option_ids, keyed=c.keyed, item=item_id
                )
                options[item_id] = found
                flags[j].extend(found.flags(thresholds.rare_option))
    return ItemAnalysis(
        items=items,
        test=test,
        flags=tuple(tuple(f) for f in flags),
        options=options,
        alpha_ci=test.alpha_ci(confidence_level),
        confidence_level=confidence_level,
        target_reliability=target_reliability,
        items_for_target=test.items_for_reliability(target_reliability),
    )
