"""The Rasch model for right/wrong items on one scale, by conditional maximum likelihood (pure: no I/O).

P(person v gets item i right) = exp(theta_v - delta_i) / (1 + exp(theta_v - delta_i)).

Conventions, as R's eRm (`RM(X, sum0 = TRUE)`, `person.parameter`, `itemfit`) has them, so that
its values are the conformance reference (tests/fixtures/rasch/):

- Item difficulties delta by conditional maximum likelihood (CML): the likelihood of each
  person's answers given their raw score on the items they took, which does not involve theta.
  A missing answer (NaN) is an item not administered: missing by design, as when booklets or
  forms share some items. Persons are grouped by the items they took and their score, so the
  elementary symmetric functions are computed once per group. Difficulties sum to zero.
- Standard errors from the observed information: the Hessian of the conditional log-likelihood
  in the k - 1 free parameters (the last difficulty is minus the sum of the others), mapped to
  all k by the delta method, as eRm's `se.beta`.
- Fit: infit and outfit mean squares of each item over the persons with a score neither 0 nor
  full, at their maximum likelihood measure (eRm's `itemfit`, which leaves extreme scores out).
- Person measures reported by Warm's weighted likelihood (WLE): the root of
  r - sum P + J / (2 I), J = sum P (1 - P)(1 - 2P), I = sum P (1 - P), finite for zero and full
  scores too, with standard error 1 / sqrt(I).

An item that every person with a non-extreme score answered alike (all right or all wrong) has
no finite CML estimate: it is left out of the calibration and named (`not_calibrated`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assess.analysis._common import _warn

_BISECTION_STEPS = 64  # on [-20, 20]: 40 / 2**64 is far below any reported digit


@dataclass(frozen=True)
class RaschItems:
    """The calibrated items, in the order of the matrix's columns (NaN for one not calibrated)."""

    difficulty: np.ndarray
    se: np.ndarray
    infit: np.ndarray
    outfit: np.ndarray
    loglik: float  # the conditional log-likelihood at the estimates
    iterations: int
    not_calibrated: tuple[int, ...]  # columns answered alike by everyone with a non-extreme score


@dataclass(frozen=True)
class RaschPersons:
    theta: np.ndarray  # Warm's WLE, NaN for a person who took no calibrated item
    se: np.ndarray
    score: np.ndarray  # raw score on the calibrated items taken
    items: np.ndarray  # how many calibrated items each person took


@dataclass(frozen=True)
class RaschResult:
    items: RaschItems
    persons: RaschPersons


# -- groups of persons: the same items taken, the same score ------------------------------------


@dataclass(frozen=True)
class _Pattern:
    items: np.ndarray  # column indexes of the items taken
    counts: np.ndarray  # persons per raw score 0..len(items)
    totals: np.ndarray  # per item taken, how many of the pattern's persons got it right


def _patterns(x: np.ndarray) -> tuple[list[_Pattern], np.ndarray, np.ndarray]:
    """The patterns of items taken, and per person their pattern and raw score."""
    taken = ~np.isnan(x)
    keys, which = np.unique(np.packbits(taken, axis=1), axis=0, return_inverse=True)
    which = which.ravel()
    scores = np.where(taken, x, 0).sum(axis=1).astype(int)
    patterns = []
    for p in range(len(keys)):
        rows = which == p
        items = np.flatnonzero(taken[np.argmax(rows)])
        if not len(items):
            continue  # persons who took no item say nothing about the items
        counts = np.bincount(scores[rows], minlength=len(items) + 1)
        patterns.append(_Pattern(items, counts, x[np.ix_(rows, items)].sum(axis=0)))
    return patterns, which, scores


# -- elementary symmetric functions ------------------------------------------------------------


def _esf(eps: np.ndarray) -> np.ndarray:
    """gamma_0..gamma_k of `eps`: gamma_r is the sum over r-item subsets of their products."""
    gamma = np.zeros(len(eps) + 1)
    gamma[0] = 1.0
    for j, e in enumerate(eps, 1):
        gamma[1 : j + 1] += e * gamma[:j].copy()
    return gamma


def _esf_without_each(eps: np.ndarray) -> np.ndarray:
    """Row i: gamma_0..gamma_(k-1) of `eps` without its item i (prefix and suffix products)."""
    k = len(eps)
    prefix = [np.ones(1)]
    for e in eps[:-1]:
        prefix.append(np.convolve(prefix[-1], [1.0, e]))
    out = np.empty((k, k))
    suffix = np.ones(1)
    for i in range(k - 1, -1, -1):
        out[i] = np.convolve(prefix[i], suffix)
        suffix = np.convolve(suffix, [1.0, eps[i]])
    return out


def _loglik_and_gradient(delta: np.ndarray, patterns: list[_Pattern]) -> tuple[float, np.ndarray]:
    """The conditional log-likelihood and its gradient in every item's difficulty."""
    loglik, gradient = 0.0, np.zeros(len(delta))
    for p in patterns:
        d = delta[p.items]
        shift = d.mean()  # gamma_r(c eps) = c^r gamma_r(eps): centred, the products stay in range
        eps = np.exp(-(d - shift))
        gamma = _esf(eps)
        r = np.arange(len(gamma))
        loglik -= float(np.dot(p.totals, d)) + float(np.dot(p.counts, np.log(gamma) - r * shift))
        without = _esf_without_each(eps)  # (k, k): gamma_(r-1) without item i, r = 1..k
        # E(x_i | r) = eps_i gamma_(r-1)(without i) / gamma_r, for r = 1..k (0 at r = 0)
        expected = eps[:, None] * without / gamma[None, 1:]
        gradient[p.items] += -p.totals + expected @ p.counts[1:]
    return loglik, gradient


# -- calibration -------------------------------------------------------------------------------


def _free_to_all(eta: np.ndarray) -> np.ndarray:
    return np.append(eta, -eta.sum())


def _hessian(eta: np.ndarray, patterns: list[_Pattern]) -> np.ndarray:
    """Of minus the log-likelihood in the free parameters, by central differences of the gradient."""
    k1 = len(eta)
    h = np.empty((k1, k1))
    step = 1e-5
    for j in range(k1):
        e = np.zeros(k1)
        e[j] = step
        up = _free_gradient(eta + e, patterns)
        down = _free_gradient(eta - e, patterns)
        h[:, j] = -(up - down) / (2 * step)
    return (h + h.T) / 2


def _free_gradient(eta: np.ndarray, patterns: list[_Pattern]) -> np.ndarray:
    _, g = _loglik_and_gradient(_free_to_all(eta), patterns)
    return g[:-1] - g[-1]  # d delta_k / d eta_j = -1


def _calibrate(patterns: list[_Pattern], k: int) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Sum-zero difficulties, their standard errors, the log-likelihood and Newton's iterations."""
    eta = np.zeros(k - 1)
    iterations = 0
    while iterations < 100:  # Newton-Raphson on the concave conditional likelihood
        iterations += 1
        step = np.linalg.solve(_hessian(eta, patterns), _free_gradient(eta, patterns))
        eta = eta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    information = _hessian(eta, patterns)
    w = np.vstack([np.eye(k - 1), -np.ones(k - 1)])
    covariance = w @ np.linalg.inv(information) @ w.T
    loglik, _ = _loglik_and_gradient(_free_to_all(eta), patterns)
    return _free_to_all(eta), np.sqrt(np.diag(covariance)), loglik, iterations


def _alike(x: np.ndarray, scores: np.ndarray, taken_counts: np.ndarray) -> tuple[int, ...]:
    """Columns that every person with a score neither 0 nor full answered the same way."""
    middle = (scores > 0) & (scores < taken_counts)
    alike = []
    for i in range(x.shape[1]):
        answers = x[middle, i]
        answers = answers[~np.isnan(answers)]
        if len(answers) == 0 or answers.min() == answers.max():
            alike.append(i)
    return tuple(alike)


# -- persons -----------------------------------------------------------------------------------


def _solve(f, n: int, lo: float = -20.0, hi: float = 20.0) -> np.ndarray:
    """The roots of `f` (decreasing in theta, vectorised over `n` persons) by bisection."""
    low, high = np.full(n, lo), np.full(n, hi)
    for _ in range(_BISECTION_STEPS):
        mid = (low + high) / 2
        positive = f(mid) > 0
        low, high = np.where(positive, mid, low), np.where(positive, high, mid)
    return (low + high) / 2


def _person_measures(delta: np.ndarray, taken: np.ndarray, scores: np.ndarray, weighted: bool) -> np.ndarray:
    """Each person's measure on the items they took: Warm's WLE, or the ML estimate (NaN for an
    extreme score)."""
    p_of = lambda theta: 1 / (1 + np.exp(-(theta[:, None] - delta[None, :])))  # noqa: E731

    def f(theta):
        p = np.where(taken, p_of(theta), 0.0)
        value = scores - p.sum(axis=1)
        if weighted:
            information = (p * (1 - p)).sum(axis=1)
            bias = (p * (1 - p) * (1 - 2 * p)).sum(axis=1)
            value = value + np.divide(bias, 2 * information, out=np.zeros_like(bias), where=information > 0)
        return value

    theta = _solve(f, len(scores))
    if not weighted:
        theta[(scores == 0) | (scores == taken.sum(axis=1))] = np.nan
    return theta


def rasch(marks) -> RaschResult:
    """Calibrate right/wrong items (1/0; NaN = not administered) and measure every person."""
    x = np.asarray(marks, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("`marks` must be persons x items, at least 2 items")
    if not np.all(np.isnan(x) | (x == 0) | (x == 1)):
        raise ValueError("the Rasch model here takes right/wrong marks: 1, 0, or NaN (not administered)")
    taken_counts = (~np.isnan(x)).sum(axis=1)
    scores = np.nansum(x, axis=1).astype(int)
    alike = _alike(x, scores, taken_counts)
    keep = np.array([i for i in range(x.shape[1]) if i not in alike])
    if alike:
        _warn(f"items answered alike by everyone with a non-extreme score, not calibrated: {list(alike)}")
    if len(keep) < 2:
        raise ValueError("fewer than 2 items can be calibrated")
    y = x[:, keep]
    patterns, _, y_scores = _patterns(y)
    delta, se, loglik, iterations = _calibrate(patterns, len(keep))
    taken = ~np.isnan(y)
    ml = _person_measures(delta, taken, y_scores, weighted=False)
    infit, outfit = _fit(y, delta, ml)
    wle = _person_measures(delta, taken, y_scores, weighted=True)
    p = 1 / (1 + np.exp(-(wle[:, None] - delta[None, :])))
    information = np.where(taken, p * (1 - p), 0).sum(axis=1)
    none = information == 0  # no calibrated item taken
    wle_se = 1 / np.sqrt(np.where(none, 1.0, information))
    wle[none] = wle_se[none] = np.nan

    def spread(values: np.ndarray) -> np.ndarray:
        out = np.full(x.shape[1], np.nan)
        out[keep] = values
        return out

    items = RaschItems(spread(delta), spread(se), spread(infit), spread(outfit), loglik, iterations, alike)
    return RaschResult(items, RaschPersons(wle, wle_se, y_scores, taken.sum(axis=1)))


def _fit(y: np.ndarray, delta: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Infit and outfit mean squares per item, over persons with a finite ML measure."""
    rows = ~np.isnan(theta)
    x = y[rows]
    p = 1 / (1 + np.exp(-(theta[rows, None] - delta[None, :])))
    variance = p * (1 - p)
    taken = ~np.isnan(x)
    residual = np.where(taken, x - p, 0.0)
    outfit = np.where(taken, residual**2 / variance, 0.0).sum(axis=0) / taken.sum(axis=0)
    infit = (residual**2).sum(axis=0) / np.where(taken, variance, 0.0).sum(axis=0)
    return infit, outfit
