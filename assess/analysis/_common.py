"""What the analysis modules share: the degenerate-data warning, input checks, p-values (pure: no I/O)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np


class DegenerateDataWarning(RuntimeWarning):
    """A statistic cannot be computed from these data (too few people or pairs, no spread): NaN."""


@dataclass(frozen=True)
class ConfidenceInterval:
    low: float
    high: float


def _warn(message: str) -> None:
    warnings.warn(message, DegenerateDataWarning, stacklevel=3)


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(choices)}; got {value!r}")
    return value


def _paired_iv(pre, post) -> tuple[np.ndarray, np.ndarray]:
    pre, post = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
    if pre.ndim != 1 or pre.shape != post.shape:
        raise ValueError("`pre` and `post` must be one-dimensional and of the same length")
    if not (np.isfinite(pre).all() and np.isfinite(post).all()):
        raise ValueError("`pre` and `post` must be finite (pair them first: see `prepost`)")
    return pre, post


def _max_iv(max_score: float) -> float:
    max_score = float(max_score)
    if not math.isfinite(max_score) or max_score <= 0:
        raise ValueError(f"`max_score` must be a finite number above 0; got {max_score!r}")
    return max_score


def _level_iv(confidence_level: float) -> float:
    if not 0 < confidence_level < 1:
        raise ValueError(f"`confidence_level` must be between 0 and 1; got {confidence_level!r}")
    return float(confidence_level)


def _two_sided_p(statistic: float, cdf) -> float:
    """Twice the smaller tail of `statistic` under a distribution symmetric about 0 whose
    distribution function is `cdf` (NaN for NaN)."""
    if math.isnan(statistic):
        return math.nan
    return float(min(1.0, 2 * cdf(-abs(statistic))))
