"""Per-option (distractor) analysis of choice items, from the options people chose (pure: no I/O).

For one item, `chosen` is a people x options boolean matrix: person i chose
option o (one per row for a single-choice or true/false item, any number for
a multiple-response item; a row with none is a blank). Per option:

- count and proportion of all people who chose it;
- the proportion of the upper and of the lower group who chose it (the
  groups of `assess.analysis.items.upper_lower_groups`, by total score, each
  person counted with their weight in the group);
- the option-rest correlation: Pearson's r between choosing the option (1/0)
  and the rest score, the total less the item's own mark (not the total less
  the option indicator). NaN when nobody or everybody chose it.

Flags, only for options that are not keyed: nobody chose it; fewer than
`rare` (default 5 %) chose it; more of the upper group than of the lower
group chose it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

RARE_OPTION = 0.05  # a distractor chosen by fewer than 5 % does not work (Haladyna & Downing 1993)


@dataclass(frozen=True)
class Flag:
    """A finding about an item: a code of assess.problems.codes and its parameters, worded when shown."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


class GroupWeights(Protocol):
    upper: np.ndarray  # each person's weight in the upper group, 0..1
    lower: np.ndarray
    size: int  # places in each group (the weights of a group sum to it)


@dataclass(frozen=True)
class Choices:
    """The options each person chose on one choice item (a keyed option is right or best-scoring)."""

    chosen: np.ndarray  # people x options, bool
    option_ids: Sequence[str]
    keyed: Sequence[bool]


@dataclass(frozen=True)
class OptionStats:
    option: str
    key: bool  # a keyed (right, or best-scoring) option
    count: int
    proportion: float
    upper: float
    lower: float
    rest_r: float


@dataclass(frozen=True)
class OptionAnalysis:
    item: str
    options: tuple[OptionStats, ...]
    blank: int  # people who chose nothing
    n: int

    def flags(self, rare: float = RARE_OPTION) -> list[Flag]:
        found = []
        for o in self.options:
            if o.key:
                continue
            if o.count == 0:
                found.append(Flag("ANALYZE-DISTRACTOR-UNCHOSEN", {"option": o.option}))
            elif o.proportion < rare:
                found.append(
                    Flag(
                        "ANALYZE-DISTRACTOR-RARE",
                        {"option": o.option, "proportion": round(o.proportion, 3), "limit": rare},
                    )
                )
            if o.upper > o.lower + 1e-12:
                found.append(
                    Flag(
                        "ANALYZE-DISTRACTOR-UPPER",
                        {"option": o.option, "upper": round(o.upper, 3), "lower": round(o.lower, 3)},
                    )
                )
        return found

    def as_dict(self) -> dict:
        def number(v: float) -> float | None:
            return None if math.isnan(v) else float(v)

        return {
            "blank": self.blank,
            "options": [
                {
                    "option": o.option,
                    "key": o.key,
                    "count": o.count,
                    "proportion": number(o.proportion),
                    "upper": number(o.upper),
                    "lower": number(o.lower),
                    "rest_r": number(o.rest_r),
                }
                for o in self.options
            ],
        }


def choices_from_codes(codes: np.ndarray, n_options: int) -> np.ndarray:
    """A people x options boolean matrix from one chosen option index per person (-1 blank)."""
    codes = np.asarray(codes)
    return codes[:, None] == np.arange(n_options)[None, :]


def option_analysis(
    chosen,
    rest,
    groups: GroupWeights,
    *,
    option_ids: Sequence[str],
    keyed: Sequence[bool],
    item: str = "",
) -> OptionAnalysis:
    """Count, proportion, upper and lower proportions and option-rest r of each option of one item."""
    picked = np.asarray(chosen, dtype=bool)
    rest = np.asarray(rest, dtype=np.float64)
    if picked.ndim != 2 or picked.shape[0] != rest.shape[0]:
        raise ValueError("`chosen` must be people x options, with one row per value of `rest`")
    if len(option_ids) != picked.shape[1] or len(keyed) != picked.shape[1]:
        raise ValueError("`option_ids` and `keyed` need one entry per column of `chosen`")
    n = picked.shape[0]
    ind = picked.astype(np.float64)
    counts = picked.sum(axis=0)
    proportion = counts / n if n else np.full(len(counts), np.nan)
    if groups.size > 0:
        upper = (groups.upper @ ind) / groups.size
        lower = (groups.lower @ ind) / groups.size
    else:
        upper = lower = np.full(len(counts), np.nan)
    rest_r = np.full(len(counts), np.nan)
    if n > 1:
        centred = rest - rest.mean()
        rest_ss = float(centred @ centred)
        cov_sum = ind.T @ centred  # sum (I - p)(rest - mean) = sum I (rest - mean)
        ind_ss = counts * (1 - proportion)
        ok = (ind_ss > 0) & (rest_ss > 0)
        rest_r[ok] = cov_sum[ok] / np.sqrt(ind_ss[ok] * rest_ss)
    options = tuple(
        OptionStats(
            option=str(option_ids[o]),
            key=bool(keyed[o]),
            count=int(counts[o]),
            proportion=float(proportion[o]),
            upper=float(upper[o]),
            lower=float(lower[o]),
            rest_r=float(rest_r[o]),
        )
        for o in range(len(counts))
    )
    return OptionAnalysis(item, options, int((~picked.any(axis=1)).sum()), n)
