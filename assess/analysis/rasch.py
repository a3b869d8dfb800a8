"""The Rasch and partial credit models on one scale, by conditional maximum likelihood (pure: no I/O).

Item i is scored 0..m_i. P(person v scores h on item i) is proportional to
exp(h theta_v + beta_ih), beta_i0 = 0 (eRm's cumulative "easiness" parameters); its thresholds are
tau_ih = -(beta_ih - beta_i(h-1)), where the curves of scores h - 1 and h cross. A right/wrong
item (m_i = 1) is the Rasch model: its one threshold is its difficulty delta_i.

Conventions, as R's eRm (`RM`/`PCM(X, sum0 = TRUE)`, `thresholds`, `person.parameter`,
`itemfit`) has them, so that its values are the conformance reference (tests/fixtures/rasch/):

- The parameters by conditional maximum likelihood (CML): the likelihood of each person's
  answers given their raw score on the items they took, which does not involve theta. A missing
  answer (NaN) is an item not administered: missing by design, as when booklets or forms share
  some items. Persons are grouped by the items they took and their score, so the elementary
  symmetric functions are computed once per group. All beta_ih sum to zero.
- Standard errors from the observed information: the Hessian of the conditional log-likelihood
  in the free parameters (the last beta is minus the sum of the others), mapped to every beta and
  every threshold by the delta method (eRm's `se.beta` and `se.thresh`).
- Fit: infit and outfit mean squares of each item over the persons with a score neither 0 nor
  full, at their maximum likelihood measure (eRm's `itemfit`, which leaves extreme scores out).
- A calibration that cannot be made raises ValueError whose text is a message-catalogue msgid
  (translated where it is shown).
- Person measures reported by Warm's weighted likelihood (WLE): the root of
  r - sum E + sum C / (2 sum V) (E, V, C: each item's expected score, variance and third central
  moment at theta), finite for zero and full scores too, with standard error 1 / sqrt(sum V).

An item whose scores, among the persons with a non-extreme score, leave out any of 0..m_i (all
right, or nobody in a middle category) has no finite CML estimate: it is left out of the
calibration and named (`not_calibrated`); the rest are calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import special

from assess.analysis._common import _warn
from assess.analysis.distractors import Flag
from assess.i18n import N_  # the reasons a calibration cannot be made: shown translated

_BISECTION_STEPS = 64  # on [-20, 20]: 40 / 2**64 is far below any reported digit
_MAX_ITERATIONS = 100  # Newton's steps; converging data take about 10
_HALVINGS = 30  # a step halved at most this often when it lowers the likelihood
# Mean squares "productive for measurement" (Wright & Linacre 1994, Rasch Measurement Transactions
# 8:3, 370; Linacre's Winsteps manual): above, noise the model does not explain; below, answers
# more predictable than the model expects (often an item that depends on another).
FIT_RANGE = (0.5, 1.5)


@dataclass(frozen=True)
class RaschItems:
    """The calibrated items, in the order of the matrix's columns (NaN for one not calibrated)."""

    max_score: np.ndarray  # m_i, the highest score of each item
    thresholds: tuple[np.ndarray, ...]  # tau_i1..tau_im per item
    threshold_se: tuple[np.ndarray, ...]
    location: np.ndarray  # the mean threshold: a right/wrong item's difficulty
    infit: np.ndarray
    outfit: np.ndarray
    loglik: float  # the conditional log-likelihood at the estimates
    iterations: int
    not_calibrated: tuple[int, ...]  # columns whose scores leave a category empty
    beta: np.ndarray  # beta_ih of the calibrated items, item by item (eRm's betapar)
    beta_se: np.ndarray

    @property
    def difficulty(self) -> np.ndarray:
        """Right/wrong items' difficulties (the location of any item)."""
        return self.location

    @property
    def se(self) -> np.ndarray:
        """The standard error of a one-threshold item's difficulty (NaN for partial credit items)."""
        return np.array([t[0] if len(t) == 1 else np.nan for t in self.threshold_se])


@dataclass(frozen=True)
class RaschPersons:
    theta: np.ndarray  # Warm's WLE, NaN for a person who took no calibrated item
    se: np.ndarray
    score: np.ndarray  # raw score on the calibrated items taken
    max_score: np.ndarray  # the highest raw score possible on them


@dataclass(frozen=True)
class RaschResult:
    items: RaschItems
    persons: RaschPersons


# -- the items' parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each item's beta_i1..beta_im sit in the flat parameter vector."""

    m: np.ndarray  # categories above 0, per item

    @cached_property
    def starts(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.m)[:-1]))

    def of(self, beta: np.ndarray, i: int) -> np.ndarray:
        """beta_i0..beta_im (beta_i0 = 0)."""
        return np.concatenate(([0.0], beta[self.starts[i] : self.starts[i] + self.m[i]]))


# -- groups of persons: the same items taken, the same score ------------------------------------


@dataclass(frozen=True)
class _Pattern:
    items: np.ndarray  # column indexes of the items taken
    counts: np.ndarray  # persons per raw score 0..sum of their m
    totals: np.ndarray  # flat, like beta: how many of the pattern's persons scored h on item i


def _patterns(x: np.ndarray, layout: _Layout) -> list[_Pattern]:
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
        counts = np.bincount(scores[rows], minlength=int(layout.m[items].sum()) + 1)
        totals = np.zeros(int(layout.m.sum()))
        for i in items:
            seen = np.bincount(x[rows, i].astype(int), minlength=layout.m[i] + 1)
            totals[layout.starts[i] : layout.starts[i] + layout.m[i]] = seen[1:]
        patterns.append(_Pattern(items, counts, totals))
    return patterns


# -- elementary symmetric functions ------------------------------------------------------------


def _product(polys: list[np.ndarray]) -> np.ndarray:
    out = np.ones(1)
    for p in polys:
        out = np.convolve(out, p)
    return out


def _without_each(polys: list[np.ndarray]) -> list[np.ndarray]:
    """For each item, the product of the other items' polynomials (prefix and suffix products)."""
    prefix = [np.ones(1)]
    for p in polys[:-1]:
        prefix.append(np.convolve(prefix[-1], p))
    out: list[np.ndarray] = [np.ones(1)] * len(polys)
    suffix = np.ones(1)
    for i in range(len(polys) - 1, -1, -1):
        out[i] = np.convolve(prefix[i], suffix)
        suffix = np.convolve(suffix, polys[i])
    return out


def _loglik_and_gradient(
    beta: np.ndarray, patterns: list[_Pattern], layout: _Layout
) -> tuple[float, np.ndarray]:
    """The conditional log-likelihood and its gradient in every beta_ih.

    gamma_r, the coefficient of z^r in the product over items taken of sum_h exp(beta_ih) z^h,
    is the normaliser of a score r; P(x_i = h | r) = exp(beta_ih) gamma_(r-h)(without i) / gamma_r.
    Each item's terms are scaled by exp(-h s) (gamma_r then by exp(-r s)) to keep them in range.
    """
    loglik, gradient = float(np.dot(sum(p.totals for p in patterns), beta)), np.zeros(len(beta))
    for p in patterns:
        betas = [layout.of(beta, i) for i in p.items]
        shift = float(np.mean([b[-1] / (len(b) - 1) for b in betas]))
        polys = [np.exp(b - shift * np.arange(len(b))) for b in betas]
        gamma = _product(polys)
        r = np.arange(len(gamma))
        loglik -= float(np.dot(p.counts, np.log(gamma) + r * shift))
        weights = p.counts / gamma  # persons per score over gamma_r
        for i, poly, rest in zip(p.items, polys, _without_each(polys), strict=True):
            # sum over r of counts_r P(x_i = h | r), for h = 1..m_i
            m = layout.m[i]
            expected = [poly[h] * np.dot(rest, weights[h : h + len(rest)]) for h in range(1, m + 1)]
            gradient[layout.starts[i] : layout.starts[i] + m] -= expected
    return loglik, gradient + sum(p.totals for p in patterns)


# -- calibration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Free:
    """How the free parameters eta make every beta: without anchors, all betas but the last, which is
    minus the sum of the others (sum zero); with anchors, the betas not fixed, the fixed ones as given."""

    fixed: np.ndarray | None  # the anchored betas, NaN where free; None: sum zero

    def size(self, n: int) -> int:
        return n - 1 if self.fixed is None else int(np.isnan(self.fixed).sum())

    def to_all(self, eta: np.ndarray) -> np.ndarray:
        if self.fixed is None:
            return np.append(eta, -eta.sum())
        beta = self.fixed.copy()
        beta[np.isnan(self.fixed)] = eta
        return beta

    def gradient(self, g: np.ndarray) -> np.ndarray:
        if self.fixed is None:
            return g[:-1] - g[-1]  # d beta_last / d eta_j = -1
        return g[np.isnan(self.fixed)]

    def jacobian(self, n: int) -> np.ndarray:
        """d beta / d eta: maps the free parameters' covariance to every beta's (the fixed ones' 0)."""
        if self.fixed is None:
            return np.vstack([np.eye(n - 1), -np.ones(n - 1)])
        w = np.zeros((n, self.size(n)))
        w[np.flatnonzero(np.isnan(self.fixed)), np.arange(self.size(n))] = 1.0
        return w


def _free_gradient(eta: np.ndarray, patterns: list[_Pattern], layout: _Layout, free: _Free) -> np.ndarray:
    _, g = _loglik_and_gradient(free.to_all(eta), patterns, layout)
    return free.gradient(g)


def _information(eta: np.ndarray, patterns: list[_Pattern], layout: _Layout, free: _Free) -> np.ndarray:
    """Minus the Hessian of the conditional log-likelihood in the free parameters."""
    w = free.jacobian(int(layout.m.sum()))
    return w.T @ _information_all(free.to_all(eta), patterns, layout) @ w


def _information_all(beta: np.ndarray, patterns: list[_Pattern], layout: _Layout) -> np.ndarray:
    """Minus the Hessian in every beta_ih, exactly: for the persons of a score r, the covariance of the
    indicators [x_i = h], summed over scores and patterns. The joint P(x_i = h, x_j = k | r) is
    exp(beta_ih + beta_jk) gamma_(r-h-k)(without i and j) / gamma_r."""
    info = np.zeros((len(beta), len(beta)))
    for p in patterns:
        if (layout.m[p.items] == 1).all():
            flat = layout.starts[p.items]
            block = _right_wrong_block(beta[flat], p)
            if block is not None:
                info[np.ix_(flat, flat)] += block
                continue
        betas = [layout.of(beta, i) for i in p.items]
        shift = float(np.mean([b[-1] / (len(b) - 1) for b in betas]))
        polys = [np.exp(b - shift * np.arange(len(b))) for b in betas]
        gamma = _product(polys)
        weights = p.counts / gamma
        marginals = []  # P(x_i = h | r) for each item's h = 1..m_i, as rows over r
        for poly, rest in zip(polys, _without_each(polys), strict=True):
            for h in range(1, len(poly)):
                row = np.zeros(len(gamma))
                row[h : h + len(rest)] = poly[h] * rest / gamma[h : h + len(rest)]
                marginals.append(row)
        marginal = np.array(marginals)
        block = -(marginal * p.counts) @ marginal.T
        block[np.diag_indices_from(block)] += marginal @ p.counts  # [x_i = h] squared is itself
        at = np.concatenate(([0], np.cumsum([len(q) - 1 for q in polys])))
        for a in range(len(polys)):
            others = [q for b, q in enumerate(polys) if b != a]
            for b, rest in zip([b for b in range(len(polys)) if b != a], _without_each(others), strict=True):
                if b < a:
                    continue
                for h in range(1, len(polys[a])):
                    for k in range(1, len(polys[b])):
                        joint = polys[a][h] * polys[b][k] * np.dot(rest, weights[h + k : h + k + len(rest)])
                        block[at[a] + h - 1, at[b] + k - 1] += joint
                        block[at[b] + k - 1, at[a] + h - 1] += joint
        flat = np.concatenate([layout.starts[i] + np.arange(layout.m[i]) for i in p.items])
        info[np.ix_(flat, flat)] += block
    return info


def _without_one(gamma: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """The elementary symmetric functions without one right/wrong item of parameter `eps`: `gamma`
    (..., R) divided by the polynomial 1 + eps z, one result per eps (broadcast). Solved upward where
    eps <= 1 and downward where eps > 1, so that rounding errors shrink at each step instead of growing."""
    size = gamma.shape[-1] - 1
    shape = np.broadcast_shapes(gamma.shape[:-1], eps.shape)
    g = np.broadcast_to(gamma, (*shape, size + 1))
    e = np.broadcast_to(eps, shape)
    up, down = np.empty((*shape, size)), np.empty((*shape, size))
    up[..., 0] = g[..., 0]
    for r in range(1, size):
        up[..., r] = g[..., r] - e * up[..., r - 1]
    down[..., size - 1] = g[..., size] / e
    for r in range(size - 1, 0, -1):
        down[..., r - 1] = (g[..., r] - down[..., r]) / e
    return np.where((e <= 1)[..., None], up, down)


_EXACT = 1e-6  # the largest relative departure from the identities below that _right_wrong_block accepts


def _right_wrong_block(beta: np.ndarray, p: _Pattern) -> np.ndarray | None:
    """A pattern of right/wrong items only: its block of the information, with every item pair at once
    (the functions without two items from those without one, as _without_one divides them). Division
    loses digits on long forms of spread-out items: the block is checked against two identities (the
    items' probabilities given a score r sum to r; the joint ones of an item with the others to
    (r - 1) times its own) and None is returned when they fail, for the exact product of the rest."""
    shift = float(np.mean(beta))
    eps = np.exp(beta - shift)
    gamma = _product([np.array([1.0, e]) for e in eps])
    weights = p.counts / gamma
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        without = _without_one(gamma, eps)  # K x (R - 1): rest of each item
    r = np.arange(len(gamma))
    marginal = np.zeros((len(eps), len(gamma)))
    marginal[:, 1:] = eps[:, None] * without / gamma[None, 1:]
    block = -(marginal * p.counts) @ marginal.T
    block[np.diag_indices_from(block)] += marginal @ p.counts
    if not (np.isfinite(marginal).all() and np.allclose(marginal.sum(axis=0), r, rtol=_EXACT, atol=_EXACT)):
        return None
    if len(eps) > 1:
        with np.errstate(over="ignore", invalid="ignore"):
            pairs = _without_one(without[:, None, :], eps[None, :])  # K x K x (R - 2)
            joint = eps[:, None] * eps[None, :] * (pairs @ weights[2:])
        np.fill_diagonal(joint, 0.0)  # an item with itself: its marginal, above
        expected = marginal @ (p.counts * np.clip(r - 1, 0, None))
        if not (np.isfinite(joint).all() and np.allclose(joint.sum(axis=1), expected, rtol=_EXACT, atol=0)):
            return None
        block += joint
    return block


def _calibrate(
    patterns: list[_Pattern], layout: _Layout, fixed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """The betas (sum zero, or the free ones beside the anchored `fixed`), their covariance, the
    log-likelihood and Newton's iterations."""
    n = int(layout.m.sum())
    free = _Free(fixed)
    eta = np.zeros(free.size(n))
    iterations = 0
    loglik = _loglik_and_gradient(free.to_all(eta), patterns, layout)[0]
    while iterations < _MAX_ITERATIONS and len(eta):  # Newton-Raphson on the concave likelihood
        iterations += 1
        step = np.linalg.solve(
            _information(eta, patterns, layout, free), _free_gradient(eta, patterns, layout, free)
        )
        # Halve a step that lowers the likelihood (far from the solution, sparse categories overshoot).
        for _ in range(_HALVINGS):
            ahead = _loglik_and_gradient(free.to_all(eta + step), patterns, layout)[0]
            if np.isfinite(ahead) and ahead >= loglik - 1e-9 * abs(loglik):
                break
            step = step / 2
        eta, loglik = eta + step, ahead
        if np.max(np.abs(step)) < 1e-10:
            break
    w = free.jacobian(n)
    covariance = (
        w @ np.linalg.inv(_information(eta, patterns, layout, free)) @ w.T if len(eta) else np.zeros((n, n))
    )
    beta = free.to_all(eta)
    loglik, _ = _loglik_and_gradient(beta, patterns, layout)
    return beta, covariance, loglik, iterations


def _thresholds(beta: np.ndarray, covariance: np.ndarray, layout: _Layout) -> tuple[list, list]:
    """tau_ih = beta_i(h-1) - beta_ih, with their standard errors by the delta method."""
    taus, ses = [], []
    for i in range(len(layout.m)):
        at = layout.starts[i] + np.arange(layout.m[i])
        b = beta[at]
        taus.append(np.concatenate(([0.0], b[:-1])) - b)
        c = covariance[np.ix_(at, at)]
        variance = np.diag(c).copy()
        variance[1:] += np.diag(c)[:-1] - 2 * np.diag(c, 1)
        ses.append(np.sqrt(variance))
    return taus, ses


def _uncalibrable(x: np.ndarray, top: np.ndarray) -> tuple[int, ...]:
    """Columns whose scores, among persons with a non-extreme score, leave any of 0..m_i empty."""
    taken = ~np.isnan(x)
    scores = np.where(taken, x, 0).sum(axis=1)
    most = np.where(taken, top, 0).sum(axis=1)
    middle = (scores > 0) & (scores < most)
    out = []
    for i in range(x.shape[1]):
        answers = x[middle, i]
        answers = answers[~np.isnan(answers)].astype(int)
        if top[i] < 1 or len(np.unique(answers)) != top[i] + 1:  # top 0: everyone scored 0
            out.append(i)
    return tuple(out)


def _all_uncalibrable(x: np.ndarray, top: np.ndarray) -> tuple[int, ...]:
    """Columns left out, again and again: leaving one out can make another person's score extreme,
    and then another item lose a category."""
    out: set[int] = set()
    while True:
        keep = [i for i in range(x.shape[1]) if i not in out]
        more = {keep[j] for j in _uncalibrable(x[:, keep], top[keep])}
        if not more:
            return tuple(sorted(out))
        out |= more


def _check_linked(y: np.ndarray, anchored: np.ndarray | None = None) -> None:
    """ValueError when the items fall into groups that no person's items join (forms sharing no
    item): such groups have no common scale. With anchors, each group must hold an anchored item
    (`anchored`: a mask of the columns), which puts it on the anchors' scale."""
    parent = list(range(y.shape[1]))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for taken in np.unique(~np.isnan(y), axis=0):
        items = np.flatnonzero(taken)
        for i in items[1:]:
            parent[root(int(i))] = root(int(items[0]))
    groups = {root(i) for i in range(y.shape[1])}
    if anchored is not None and anchored.any():
        if groups - {root(int(i)) for i in np.flatnonzero(anchored)}:
            raise ValueError(
                N_("some forms share no item with the anchored items: they have no common scale")
            )
        return
    if len(groups) > 1:
        raise ValueError(N_("the forms share no items: their scores have no common scale"))


# -- persons -----------------------------------------------------------------------------------


def _item_moments(theta: np.ndarray, b: np.ndarray) -> np.ndarray:
    """E, V and C (expected score, variance, third central moment) of one item (betas `b`, beta_0 = 0)
    at each theta: a 3 x len(theta) array."""
    h = np.arange(len(b))
    logits = theta[:, None] * h[None, :] + b[None, :]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    e = p @ h
    d = h[None, :] - e[:, None]
    return np.stack([e, (d**2 * p).sum(axis=1), (d**3 * p).sum(axis=1)])


def _moments(theta: np.ndarray, taken: np.ndarray, beta: np.ndarray, layout: _Layout):
    """Per person (rows of `theta`), the sums over the items taken of E, V and C at theta."""
    total = np.zeros((3, len(theta)))
    for i in range(len(layout.m)):
        rows = taken[:, i]
        if rows.any():
            total[:, rows] += _item_moments(theta[rows], layout.of(beta, i))
    return total


@dataclass(frozen=True)
class _Forms:
    """Rows grouped by the items they took: per group its rows, its right/wrong items' easiness and its
    other items, so that the moments of a group are summed over its own items only, and all its
    right/wrong items at once."""

    groups: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # (rows, beta_i1 of m = 1, other items)

    @classmethod
    def of(cls, taken: np.ndarray, beta: np.ndarray, layout: _Layout) -> _Forms:
        keys, which = np.unique(np.packbits(taken, axis=1), axis=0, return_inverse=True)
        which = which.ravel()
        groups = []
        for g in range(len(keys)):
            rows = np.flatnonzero(which == g)
            items = np.flatnonzero(taken[rows[0]])
            right_wrong = items[layout.m[items] == 1]
            groups.append((rows, beta[layout.starts[right_wrong]], items[layout.m[items] != 1]))
        return cls(tuple(groups))

    def moments(self, theta: np.ndarray, beta: np.ndarray, layout: _Layout) -> np.ndarray:
        """E, V and C summed over each row's items at its theta (as _moments)."""
        total = np.zeros((3, len(theta)))
        for rows, easiness, others in self.groups:
            if len(easiness):
                p = special.expit(theta[rows, None] + easiness[None, :])
                q = p * (1 - p)
                total[:, rows] += np.stack([p.sum(axis=1), q.sum(axis=1), (q * (1 - 2 * p)).sum(axis=1)])
            for i in others:
                total[:, rows] += _item_moments(theta[rows], layout.of(beta, i))
        return total


def _measures(
    scores: np.ndarray, taken: np.ndarray, beta: np.ndarray, layout: _Layout, weighted: bool
) -> np.ndarray:
    """Each person's measure on the items they took by bisection: Warm's WLE, or the ML estimate
    (NaN for an extreme score). Persons with the same items and score share theirs: it is computed
    once per such group."""
    keys = np.hstack(
        [np.packbits(taken, axis=1), scores[:, None].astype(np.int64).view(np.uint8).reshape(len(scores), -1)]
    )
    _, first, which = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group_scores, group_taken = scores[first], taken[first]
    forms = _Forms.of(group_taken, beta, layout)

    def f(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e, v, c = forms.moments(theta, beta, layout)
        value = group_scores - e
        if weighted:
            value = value + np.divide(c, 2 * v, out=np.zeros_like(c), where=v > 0)
        return value, v

    # Newton's steps (slope -V) inside a bracket that each value narrows; a step leaving the bracket
    # is replaced by its midpoint. f falls with theta, so the root is where it changes sign.
    low, high = np.full(len(first), -20.0), np.full(len(first), 20.0)
    theta = np.zeros(len(first))
    extreme = (group_scores == 0) | (group_scores == np.where(group_taken, layout.m, 0).sum(axis=1))
    going = np.ones(len(first), dtype=bool) if weighted else ~extreme  # no ML root for an extreme score
    for _ in range(_BISECTION_STEPS):
        if not going.any():
            break
        value, v = f(theta)
        above = value > 0
        low, high = np.where(above, theta, low), np.where(above, high, theta)
        step = np.divide(value, v, out=np.zeros_like(value), where=v > 0)
        ahead = theta + step
        inside = (ahead > low) & (ahead < high) & (v > 0)
        ahead = np.where(going, np.where(inside, ahead, (low + high) / 2), theta)
        going &= np.abs(ahead - theta) >= 1e-12
        theta = ahead
    low = high = theta
    theta = ((low + high) / 2)[which.ravel()]
    if not weighted:
        theta[(scores == 0) | (scores == np.where(taken, layout.m, 0).sum(axis=1))] = np.nan
    return theta


def _fit(
    y: np.ndarray, theta: np.ndarray, beta: np.ndarray, layout: _Layout
) -> tuple[np.ndarray, np.ndarray]:
    """Infit and outfit mean squares per item, over persons with a finite ML measure."""
    rows = ~np.isnan(theta)
    x, t = y[rows], theta[rows]
    infit, outfit = np.empty(len(layout.m)), np.empty(len(layout.m))
    for i in range(len(layout.m)):
        given = ~np.isnan(x[:, i])
        e, v, _ = _item_moments(t[given], layout.of(beta, i))
        squared = (x[given, i] - e) ** 2
        outfit[i] = np.mean(squared / v)
        infit[i] = squared.sum() / v.sum()
    return infit, outfit


# -- fit flags ---------------------------------------------------------------------------------


def fit_flags(items: RaschItems, fit_range: tuple[float, float] = FIT_RANGE) -> list[list[Flag]]:
    """Per item: infit or outfit mean square above or below `fit_range` (calibrated items only),
    judged on the value as shown, to two decimals."""
    low, high = fit_range
    out = []
    for j in range(len(items.infit)):
        found = []
        for name, values in (("infit", items.infit), ("outfit", items.outfit)):
            value = round(float(values[j]), 2)
            if value > high:
                found.append(Flag("RASCH-MISFIT-NOISY", {"statistic": name, "value": value, "limit": high}))
            elif value < low:
                found.append(
                    Flag("RASCH-MISFIT-PREDICTABLE", {"statistic": name, "value": value, "limit": low})
                )
        out.append(found)
    return out


# -- the model ---------------------------------------------------------------------------------


def rasch(marks, max_scores=None, anchors=None) -> RaschResult:
    """Calibrate items scored 0..m_i (NaN = not administered) and measure every person.

    `max_scores`: each item's m_i; by default the largest score in its column. Right/wrong items
    (m_i = 1) follow the Rasch model, the others the partial credit model.
    `anchors`: {column: its thresholds tau_i1..tau_im} fixed at those values (an earlier
    calibration's), so that the other items and every person are measured on the anchors' scale
    (no sum-zero constraint then); an anchored item is kept even when a category is empty here.
    """
    x = np.asarray(marks, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(N_("`marks` must be persons x items, at least 2 items"))
    given = x[~np.isnan(x)]
    if not np.all((given >= 0) & (given == np.round(given))):
        raise ValueError(N_("scores must be whole numbers from 0 (NaN: not administered)"))
    if max_scores is None:  # the largest score given; 0 for a column nobody was given
        top = np.fmax.reduce(np.where(np.isnan(x), 0.0, x), axis=0)
    else:
        top = np.asarray(max_scores, dtype=float)
    top = top.astype(int)
    if np.any(given > np.repeat(top[None, :], len(x), axis=0)[~np.isnan(x)]):
        raise ValueError(N_("a score is above its item's maximum"))
    anchors = dict(anchors or {})
    alike = tuple(i for i in _all_uncalibrable(x, top) if i not in anchors)
    if alike:
        _warn(f"items with a score nobody with a non-extreme total gave, not calibrated: {list(alike)}")
    keep = np.array([i for i in range(x.shape[1]) if i not in alike], dtype=int)
    if len(keep) < 2:
        raise ValueError(N_("fewer than 2 items can be calibrated"))
    y, layout = x[:, keep], _Layout(top[keep])
    fixed = _fixed(anchors, keep, layout)
    _check_linked(y, None if fixed is None else np.array([int(i) in anchors for i in keep]))
    try:  # diverging data overflow on the way: the result is checked below instead
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            beta, covariance, loglik, iterations = _calibrate(_patterns(y, layout), layout, fixed)
    except np.linalg.LinAlgError:
        beta, covariance, loglik, iterations = np.array([np.nan]), np.eye(1), np.nan, 0
    free = np.isnan(fixed) if fixed is not None else np.ones(len(beta), dtype=bool)
    determined = (
        np.isfinite(beta).all()
        and np.isfinite(covariance).all()
        and (np.diag(covariance)[free] > 0).all()  # an information that is not positive: a flat ridge
    )
    if iterations >= _MAX_ITERATIONS or not determined:
        raise ValueError(
            N_(
                "the answers do not determine the items' estimates (no finite solution: some items are "
                "answered in a way that separates them from the others)"
            )
        )
    taus, tau_ses = _thresholds(beta, covariance, layout)
    for j, i in enumerate(keep):
        if int(i) in anchors:
            tau_ses[j] = np.full(len(tau_ses[j]), np.nan)  # not estimated here: the anchor's own
    taken = ~np.isnan(y)
    scores = np.where(taken, y, 0).sum(axis=1)
    infit, outfit = _fit(y, _measures(scores, taken, beta, layout, weighted=False), beta, layout)
    wle = _measures(scores, taken, beta, layout, weighted=True)
    variance = _moments(wle, taken, beta, layout)[1]
    none = variance == 0  # no calibrated item taken
    wle_se = 1 / np.sqrt(np.where(none, 1.0, variance))
    wle[none] = wle_se[none] = np.nan
    return RaschResult(
        _items(
            x.shape[1], keep, top, taus, tau_ses, infit, outfit, loglik, iterations, alike, beta, covariance
        ),
        RaschPersons(wle, wle_se, scores, np.where(taken, layout.m, 0).sum(axis=1)),
    )


def _fixed(anchors: dict, keep: np.ndarray, layout: _Layout) -> np.ndarray | None:
    """The flat betas of the anchored items (beta_ih = -(tau_i1 + ... + tau_ih)), NaN for the free ones;
    None without anchors."""
    if not anchors:
        return None
    fixed = np.full(int(layout.m.sum()), np.nan)
    for j, i in enumerate(keep):
        if int(i) in anchors:
            taus = np.asarray(anchors[int(i)], dtype=float)
            if len(taus) != layout.m[j]:
                raise ValueError(
                    f"item {int(i)}: {len(taus)} anchored thresholds for {layout.m[j]} categories"
                )
            fixed[layout.starts[j] : layout.starts[j] + layout.m[j]] = -np.cumsum(taus)
    return fixed


def _items(
    k, keep, top, taus, tau_ses, infit, outfit, loglik, iterations, alike, beta, covariance
) -> RaschItems:
    """The items' results spread over every column (NaN where an item was not calibrated)."""

    def spread(values) -> np.ndarray:
        out = np.full(k, np.nan)
        out[keep] = values
        return out

    thresholds: list[np.ndarray] = [np.full(max(int(m), 1), np.nan) for m in top]
    threshold_se = [t.copy() for t in thresholds]
    for j, i in enumerate(keep):
        thresholds[i], threshold_se[i] = taus[j], tau_ses[j]
    return RaschItems(
        max_score=top,
        thresholds=tuple(thresholds),
        threshold_se=tuple(threshold_se),
        location=spread([t.mean() for t in taus]),
        infit=spread(infit),
        outfit=spread(outfit),
        loglik=loglik,
        iterations=iterations,
        not_calibrated=alike,
        beta=beta,
        beta_se=np.sqrt(np.diag(covariance)),
    )
