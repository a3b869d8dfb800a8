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
  symmetric functions are computed once per group; groups of right/wrong items of one length are
  stacked and computed together. All beta_ih sum to zero.
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
_UNDETERMINED_SE = 100.0  # logits: a standard error above it says the data do not determine the estimate
_HALVINGS = 30  # a step halved at most this often when it lowers the likelihood
_EXACT = 1e-6  # the largest relative departure from the identities that a batch's quick functions may show
_TINY = np.finfo(float).tiny  # below it a symmetric function has underflowed (lost its digits)
_CHUNK = 2_000_000  # cells of the largest array of a batch's information at once (16 MB)
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


# -- the data: scores by blocks of rows that took the same items -------------------------------


@dataclass(frozen=True)
class Block:
    """Rows that took the same items: their scores as a full array (no cell missing)."""

    rows: np.ndarray  # row numbers in the whole matrix
    items: np.ndarray  # column numbers, ascending
    scores: np.ndarray  # len(rows) x len(items)


@dataclass(frozen=True)
class ScoreBlocks:
    """A persons x items matrix of scores kept as blocks of rows with the same items (missing by
    design: a row has only the items of its form). 100,000 results of 2,000 forms of 30 items out of
    1,500 are 2,000 small arrays here, where the full matrix would be 150 million cells."""

    shape: tuple[int, int]
    blocks: tuple[Block, ...]  # at most one per set of items; rows with no item are in none

    @classmethod
    def from_dense(cls, x: np.ndarray) -> ScoreBlocks:
        """From a matrix with NaN where an item was not administered."""
        taken = ~np.isnan(x)
        keys, which = np.unique(np.packbits(taken, axis=1), axis=0, return_inverse=True)
        which = which.ravel()
        blocks = []
        for g in range(len(keys)):
            rows = np.flatnonzero(which == g)
            items = np.flatnonzero(taken[rows[0]])
            if len(items):
                blocks.append(Block(rows, items, x[np.ix_(rows, items)]))
        return cls(x.shape, tuple(blocks))

    @classmethod
    def from_cells(cls, shape: tuple[int, int], rows, columns, scores) -> ScoreBlocks:
        """From the given cells only: row, column and score of each (one cell per row and column)."""
        rows, columns = np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)
        scores = np.asarray(scores, dtype=float)
        if not len(rows):
            return cls(shape, ())
        order = np.lexsort((columns, rows))
        rows, columns, scores = rows[order], columns[order], scores[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], len(rows)]
        grouped: dict[bytes, list[int]] = {}
        for n, (a, b) in enumerate(zip(starts, ends, strict=True)):
            grouped.setdefault(columns[a:b].tobytes(), []).append(n)
        blocks = []
        for members in grouped.values():
            first = starts[members]
            width = int(ends[members[0]] - first[0])
            cells = first[:, None] + np.arange(width)[None, :]
            blocks.append(Block(rows[first], columns[cells[0]], scores[cells]))
        return cls(shape, tuple(blocks))

    def columns(self, keep: np.ndarray) -> ScoreBlocks:
        """Only the columns `keep` (numbered 0.. in that order); blocks that now share their items are
        joined."""
        number = np.full(self.shape[1], -1)
        number[keep] = np.arange(len(keep))
        joined: dict[bytes, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        for b in self.blocks:
            inside = number[b.items] >= 0
            items = number[b.items[inside]]
            if len(items):
                order = np.argsort(items)
                joined.setdefault(items[order].tobytes(), []).append(
                    (b.rows, items[order], b.scores[:, inside][:, order])
                )
        blocks = tuple(
            Block(np.concatenate([p[0] for p in parts]), parts[0][1], np.concatenate([p[2] for p in parts]))
            for parts in joined.values()
        )
        return ScoreBlocks((self.shape[0], len(keep)), blocks)

    def column_max(self) -> np.ndarray:
        """The largest score in each column (0 where nobody was given it)."""
        top = np.zeros(self.shape[1])
        for b in self.blocks:
            if len(b.rows):
                np.maximum.at(top, b.items, b.scores.max(axis=0))
        return top

    def linked(self) -> np.ndarray:
        """Each column's group: columns are in one group when some row took items of both (union-find
        over the blocks' items); the group is named by one of its columns."""
        parent = list(range(self.shape[1]))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for b in self.blocks:
            for i in b.items[1:]:
                parent[root(int(i))] = root(int(b.items[0]))
        return np.array([root(i) for i in range(self.shape[1])], dtype=int)


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


def _patterns(data: ScoreBlocks, layout: _Layout) -> list[_Pattern]:
    """Persons with a score of 0 or full are left out: given their score, their answers are certain
    (a conditional likelihood of 1), and they would only ask for the far ends of the symmetric
    functions, which underflow on long forms."""
    patterns = []
    for b in data.blocks:
        scores = b.scores.sum(axis=1).astype(int)
        most = int(layout.m[b.items].sum())
        middle = (scores > 0) & (scores < most)
        counts = np.bincount(scores[middle], minlength=most + 1)
        totals = np.zeros(int(layout.m.sum()))
        for j, i in enumerate(b.items):
            seen = np.bincount(b.scores[middle, j].astype(int), minlength=layout.m[i] + 1)
            totals[layout.starts[i] : layout.starts[i] + layout.m[i]] = seen[1:]
        patterns.append(_Pattern(b.items, counts, totals))
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


@dataclass(frozen=True)
class _Batch:
    """Patterns of K right/wrong items each, stacked, so that one numpy step serves them all (a
    history of 2,000 forms of 30 items is 2,000 patterns)."""

    flat: np.ndarray  # P x K: each item's place in beta
    counts: np.ndarray  # P x (K + 1): persons per score
    patterns: tuple[_Pattern, ...]


@dataclass(frozen=True)
class _Design:
    """The patterns as the likelihood takes them: right/wrong ones batched by their length, the others
    one by one; and the persons' count per item and category, which does not depend on beta."""

    batches: tuple[_Batch, ...]
    general: tuple[_Pattern, ...]
    totals: np.ndarray
    zeros: np.ndarray  # like beta: how many persons scored 0 on the item of each beta_ih

    @classmethod
    def of(cls, patterns: list[_Pattern], layout: _Layout, batched: bool = True) -> _Design:
        by_length: dict[int, list[_Pattern]] = {}
        general = []
        for p in patterns:
            if batched and (layout.m[p.items] == 1).all():
                by_length.setdefault(len(p.items), []).append(p)
            else:
                general.append(p)
        batches = tuple(
            _Batch(
                np.array([layout.starts[p.items] for p in same]),
                np.array([p.counts for p in same], dtype=float),
                tuple(same),
            )
            for same in by_length.values()
        )
        totals = sum((p.totals for p in patterns), np.zeros(int(layout.m.sum())))
        given = np.zeros(len(layout.m))
        for p in patterns:
            given[p.items] += p.counts.sum()
        item_of = np.repeat(np.arange(len(layout.m)), layout.m)
        zeros = given[item_of] - np.bincount(item_of, weights=totals, minlength=len(layout.m))[item_of]
        return cls(batches, tuple(general), totals, zeros)

    def start(self) -> np.ndarray:
        """Starting betas: beta_ih = log(N_ih / N_i0), the log-odds of a score h against 0 at an average
        ability (a person of theta 0), which puts Newton a few steps from the estimates."""
        return np.log(self.totals + 0.5) - np.log(self.zeros + 0.5)


def _polynomials(beta: np.ndarray, p: _Pattern, layout: _Layout) -> tuple[list[np.ndarray], np.ndarray]:
    """Each item's sum_h exp(beta_ih) z^h, scaled by exp(-h s) and by its largest term so that the
    product of hundreds stays in range; and what scaling took from log gamma_r, per score r (the
    probabilities, ratios of the same products, do not change)."""
    betas = [layout.of(beta, i) for i in p.items]
    shift = float(np.mean([b[-1] / (len(b) - 1) for b in betas]))
    logs = [b - shift * np.arange(len(b)) for b in betas]
    tops = np.array([x.max() for x in logs])
    polys = [np.exp(x - top) for x, top in zip(logs, tops, strict=True)]
    return polys, shift * np.arange(int(layout.m[p.items].sum()) + 1) + tops.sum()


def _batch_gamma(beta: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pattern of a batch: exp(beta_i - s), the elementary symmetric functions of those (divided
    by their largest at each step, so that hundreds of spread items stay in range) and what the
    scaling took from log gamma_r, per pattern and score r."""
    b = beta[flat]
    shift = b.mean(axis=1)
    eps = np.exp(b - shift[:, None])
    gamma = np.zeros((len(flat), flat.shape[1] + 1))
    gamma[:, 0] = 1.0
    taken = np.zeros(len(flat))
    for k in range(flat.shape[1]):
        gamma[:, 1 : k + 2] += eps[:, k, None] * gamma[:, : k + 1]
        top = gamma.max(axis=1)
        gamma /= top[:, None]
        taken += np.log(top)
    return eps, gamma, shift[:, None] * np.arange(flat.shape[1] + 1)[None, :] + taken[:, None]


def _batch_marginal(
    eps: np.ndarray, gamma: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(x_i = 1 | r) per pattern, item and score r (P x K x (K + 1)) from the functions without each
    item; and per pattern whether they meet the identity sum_i P(x_i = 1 | r) = r and every score
    someone has is in range (division loses digits on long forms of spread-out items, and the running
    scaling can underflow a far score: those take the exact products instead)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        without = _without_one(gamma[:, None, :], eps)  # P x K x K
        marginal = np.zeros((*eps.shape, gamma.shape[1]))
        marginal[:, :, 1:] = eps[:, :, None] * without / gamma[:, None, 1:]
        r = np.arange(gamma.shape[1])
        exact = (
            np.isfinite(marginal).all(axis=(1, 2))
            & np.isclose(marginal.sum(axis=1), r, rtol=_EXACT, atol=_EXACT).all(axis=1)
            & _in_range(gamma, counts)
        )
    return without, marginal, exact


def _in_range(gamma: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Whether every score someone has kept its gamma_r above underflow (per pattern, last axis r)."""
    return ((gamma >= _TINY) | (counts == 0)).all(axis=-1)


def _loglik(beta: np.ndarray, design: _Design, layout: _Layout) -> float:
    """The conditional log-likelihood: sum over persons of log P(answers | score)."""
    loglik = float(np.dot(design.totals, beta))
    exact_ones = list(design.general)
    for batch in design.batches:
        _, gamma, scaled = _batch_gamma(beta, batch.flat)
        fits = _in_range(gamma, batch.counts)
        loglik -= _weighted_logs(batch.counts[fits], gamma[fits], scaled[fits])
        exact_ones.extend(batch.patterns[p] for p in np.flatnonzero(~fits))
    for p in exact_ones:
        polys, scaled = _polynomials(beta, p, layout)
        loglik -= _weighted_logs(p.counts, _product(polys), scaled)
    return loglik


def _over(x: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """x / gamma_r, 0 where gamma_r underflowed to 0 (a score so unlikely that nobody has it)."""
    return np.divide(x, gamma, out=np.zeros(np.broadcast_shapes(np.shape(x), gamma.shape)), where=gamma > 0)


def _weighted_logs(counts: np.ndarray, gamma: np.ndarray, scaled: np.ndarray) -> float:
    """sum of counts_r (log gamma_r + what scaling took), over the scores someone has (a score nobody
    has may have underflowed to 0); inf when one somebody has did."""
    if not _in_range(gamma, counts).all():
        return np.inf  # a score someone has underflowed: no likelihood here (a step too far is halved)
    has = counts > 0
    return float((counts[has] * (np.log(gamma[has]) + np.broadcast_to(scaled, gamma.shape)[has])).sum())


def _gradient(beta: np.ndarray, design: _Design, layout: _Layout) -> np.ndarray:
    """The gradient of the conditional log-likelihood in every beta_ih: the persons' count in each
    category less its expected count given their scores.

    gamma_r, the coefficient of z^r in the product over items taken of sum_h exp(beta_ih) z^h,
    is the normaliser of a score r; P(x_i = h | r) = exp(beta_ih) gamma_(r-h)(without i) / gamma_r.
    """
    expected = np.zeros(len(beta))
    for batch in design.batches:
        eps, gamma, _ = _batch_gamma(beta, batch.flat)
        _, marginal, exact = _batch_marginal(eps, gamma, batch.counts)
        counted = (marginal[exact] * batch.counts[exact, None, :]).sum(axis=2)
        expected += np.bincount(batch.flat[exact].ravel(), weights=counted.ravel(), minlength=len(beta))
        for p in np.flatnonzero(~exact):
            _expected_counts(beta, batch.patterns[p], layout, expected)
    for p in design.general:
        _expected_counts(beta, p, layout, expected)
    return design.totals - expected


def _expected_counts(beta: np.ndarray, p: _Pattern, layout: _Layout, out: np.ndarray) -> None:
    """Adds to `out` the pattern's sum over r of counts_r P(x_i = h | r), for every item i and h >= 1."""
    polys, _ = _polynomials(beta, p, layout)
    weights = _over(p.counts, _product(polys))  # persons per score over gamma_r
    for i, poly, rest in zip(p.items, polys, _without_each(polys), strict=True):
        m = layout.m[i]
        out[layout.starts[i] : layout.starts[i] + m] += [
            poly[h] * np.dot(rest, weights[h : h + len(rest)]) for h in range(1, m + 1)
        ]


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

    def from_all(self, beta: np.ndarray) -> np.ndarray:
        """The free parameters nearest to `beta`: centred to sum zero, or shifted onto the anchors."""
        if self.fixed is None:
            return (beta - beta.mean())[:-1]
        free = np.isnan(self.fixed)
        shift = np.mean(self.fixed[~free] - beta[~free]) if (~free).any() else 0.0
        return (beta + shift)[free]

    def gradient(self, g: np.ndarray) -> np.ndarray:
        if self.fixed is None:
            return g[:-1] - g[-1]  # d beta_last / d eta_j = -1
        return g[np.isnan(self.fixed)]

    def information(self, info: np.ndarray) -> np.ndarray:
        """W' I W for the Jacobian W = d beta / d eta, without forming W (1,500 items: a product of
        1,500 x 1,500 matrices saved per Newton step)."""
        if self.fixed is None:
            body, last = info[:-1, :-1], info[:-1, -1]
            return body - last[:, None] - last[None, :] + info[-1, -1]
        free = np.flatnonzero(np.isnan(self.fixed))
        return info[np.ix_(free, free)]

    def covariance(self, inverse: np.ndarray, n: int) -> np.ndarray:
        """W C W': the free parameters' covariance mapped to every beta (the fixed ones' 0)."""
        out = np.zeros((n, n))
        if self.fixed is None:
            out[:-1, :-1] = inverse
            out[-1, :-1] = out[:-1, -1] = -inverse.sum(axis=1)
            out[-1, -1] = inverse.sum()
            return out
        free = np.flatnonzero(np.isnan(self.fixed))
        out[np.ix_(free, free)] = inverse
        return out


def _information_all(beta: np.ndarray, design: _Design, layout: _Layout) -> np.ndarray:
    """Minus the Hessian in every beta_ih, exactly: for the persons of a score r, the covariance of the
    indicators [x_i = h], summed over scores and patterns. The joint P(x_i = h, x_j = k | r) is
    exp(beta_ih + beta_jk) gamma_(r-h-k)(without i and j) / gamma_r."""
    n = len(beta)
    places, values, exact_ones = [], [], []
    for batch in design.batches:
        flat, block, exact = _batch_information(beta, batch)
        places.append((flat[exact][:, :, None] * n + flat[exact][:, None, :]).ravel())
        values.append(block[exact].ravel())
        exact_ones.extend(batch.patterns[p] for p in np.flatnonzero(~exact))
    info = np.zeros(n * n)
    if places:
        info += np.bincount(np.concatenate(places), np.concatenate(values), n * n)
    info = info.reshape(n, n)
    for p in (*exact_ones, *design.general):
        flat = np.concatenate([layout.starts[i] + np.arange(layout.m[i]) for i in p.items])
        info[np.ix_(flat, flat)] += _pattern_information(beta, p, layout)
    return info


def _batch_information(beta: np.ndarray, batch: _Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The information blocks of a batch's patterns (P x K x K), every item pair at once: the functions
    without two items come from those without one, as _without_one divides them. Per pattern whether
    its block met the identities (the joint probabilities of an item with the others sum to (r - 1)
    times its own); the others are taken pattern by pattern, exactly."""
    k = batch.flat.shape[1]
    blocks, exact_all = [], []
    step = max(1, _CHUNK // (k**3))
    for at in range(0, len(batch.flat), step):
        flat, counts = batch.flat[at : at + step], batch.counts[at : at + step]
        eps, gamma, _ = _batch_gamma(beta, flat)
        without, marginal, exact = _batch_marginal(eps, gamma, counts)
        block = -np.einsum("pir,pjr->pij", marginal * counts[:, None, :], marginal)
        diagonal = np.arange(k)
        block[:, diagonal, diagonal] += np.einsum("pir,pr->pi", marginal, counts)  # [x_i = 1]^2 = [x_i = 1]
        if k > 1:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                pairs = _without_one(without[:, :, None, :], eps[:, None, :])  # P x K x K x (K - 1)
                joint = (
                    eps[:, :, None]
                    * eps[:, None, :]
                    * np.einsum("pijr,pr->pij", pairs, counts[:, 2:] / gamma[:, 2:])
                )
            joint[:, diagonal, diagonal] = 0.0  # an item with itself: its marginal, above
            r = np.arange(k + 1)
            expected = np.einsum("pir,pr->pi", marginal, counts * np.clip(r - 1, 0, None))
            exact &= np.isfinite(joint).all(axis=(1, 2)) & np.isclose(
                joint.sum(axis=2), expected, rtol=_EXACT, atol=0
            ).all(axis=1)
            block += joint  # where not exact, the block is left out
        blocks.append(block)
        exact_all.append(exact)
    return batch.flat, np.concatenate(blocks), np.concatenate(exact_all)


def _pattern_information(beta: np.ndarray, p: _Pattern, layout: _Layout) -> np.ndarray:
    """One pattern's block of the information from the exact products of the other items."""
    polys, _ = _polynomials(beta, p, layout)
    gamma = _product(polys)
    weights = _over(p.counts, gamma)
    marginals = []  # P(x_i = h | r) for each item's h = 1..m_i, as rows over r
    for poly, rest in zip(polys, _without_each(polys), strict=True):
        for h in range(1, len(poly)):
            row = np.zeros(len(gamma))
            row[h : h + len(rest)] = _over(poly[h] * rest, gamma[h : h + len(rest)])
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
    return block


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


def _calibrate(
    patterns: list[_Pattern], layout: _Layout, fixed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """The betas (sum zero, or the free ones beside the anchored `fixed`), their covariance, the
    log-likelihood and Newton's iterations."""
    n = int(layout.m.sum())
    design, free = _Design.of(patterns, layout), _Free(fixed)
    eta = free.from_all(design.start())
    iterations = 0
    loglik = _loglik(free.to_all(eta), design, layout)
    if not np.isfinite(loglik):
        raise ValueError(
            N_(
                "a form is so long and its items so far apart that the scores near its ends cannot be "
                "computed: split the form, or leave its most extreme items out"
            )
        )
    while iterations < _MAX_ITERATIONS and len(eta):  # Newton-Raphson on the concave likelihood
        iterations += 1
        beta = free.to_all(eta)
        gradient = free.gradient(_gradient(beta, design, layout))
        step = np.linalg.solve(free.information(_information_all(beta, design, layout)), gradient)
        # Done when the step is below 1e-6 logits: Newton's next would be about its square. The quick
        # functions' rounding (about 1e-8 logits on 1,500 items) keeps steps from vanishing, and grows
        # with the persons. Diverging estimates (no finite solution) keep taking steps of about a
        # logit however flat the likelihood, and run out of iterations.
        done = np.max(np.abs(step)) < 1e-6
        # Halve a step that lowers the likelihood (far from the solution, sparse categories overshoot).
        for _ in range(_HALVINGS):
            ahead = _loglik(free.to_all(eta + step), design, layout)
            if np.isfinite(ahead) and ahead >= loglik - 1e-9 * abs(loglik):
                break
            step = step / 2
        eta, loglik = eta + step, ahead
        if done:
            break
    beta = free.to_all(eta)
    covariance = (
        free.covariance(np.linalg.inv(free.information(_information_all(beta, design, layout))), n)
        if len(eta)
        else np.zeros((n, n))
    )
    return beta, covariance, _loglik(beta, design, layout), iterations


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


def _uncalibrable(data: ScoreBlocks, top: np.ndarray) -> tuple[int, ...]:
    """Columns whose scores, among persons with a non-extreme score, leave any of 0..m_i empty."""
    seen: list[set[int]] = [set() for _ in range(data.shape[1])]
    for b in data.blocks:
        scores = b.scores.sum(axis=1)
        middle = (scores > 0) & (scores < top[b.items].sum())
        if middle.any():
            for j, i in enumerate(b.items):
                seen[i].update(np.unique(b.scores[middle, j]).astype(int).tolist())
    # top 0: everyone scored 0
    return tuple(i for i in range(data.shape[1]) if top[i] < 1 or len(seen[i]) != top[i] + 1)


def _all_uncalibrable(data: ScoreBlocks, top: np.ndarray) -> tuple[int, ...]:
    """Columns left out, again and again: leaving one out can make another person's score extreme,
    and then another item lose a category."""
    out: set[int] = set()
    while True:
        keep = np.array([i for i in range(data.shape[1]) if i not in out], dtype=int)
        more = {int(keep[j]) for j in _uncalibrable(data.columns(keep), top[keep])}
        if not more:
            return tuple(sorted(out))
        out |= more


def _check_linked(y: ScoreBlocks, anchored: np.ndarray | None = None) -> None:
    """ValueError when the items fall into groups that no person's items join (forms sharing no
    item): such groups have no common scale. With anchors, each group must hold an anchored item
    (`anchored`: a mask of the columns), which puts it on the anchors' scale."""
    roots = y.linked()
    groups = set(roots.tolist())
    if anchored is not None and anchored.any():
        if groups - set(roots[anchored].tolist()):
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


@dataclass(frozen=True)
class _Forms:
    """Measures grouped by the items they rest on, so that the moments of each are summed over its own
    items only: the right/wrong items of every group with K of them at once (an N x K array of their
    easiness, N the measures), the other items group by group."""

    right_wrong: tuple[tuple[np.ndarray, np.ndarray], ...]  # per K: (positions, easiness N x K)
    others: tuple[tuple[np.ndarray, np.ndarray], ...]  # (positions, items that are not right/wrong)

    @classmethod
    def of(cls, groups, beta: np.ndarray, layout: _Layout) -> _Forms:
        """`groups`: (positions, items) pairs."""
        by_length: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        others = []
        for at, items in groups:
            right_wrong = items[layout.m[items] == 1]
            if len(right_wrong):
                by_length.setdefault(len(right_wrong), []).append((at, beta[layout.starts[right_wrong]]))
            if len(rest := items[layout.m[items] != 1]):
                others.append((at, rest))
        stacked = tuple(
            (
                np.concatenate([at for at, _ in same]),
                np.concatenate([np.broadcast_to(e, (len(at), len(e))) for at, e in same]),
            )
            for same in by_length.values()
        )
        return cls(stacked, tuple(others))

    def moments(self, theta: np.ndarray, beta: np.ndarray, layout: _Layout) -> np.ndarray:
        """E, V and C (expected score, variance, third central moment) summed over each measure's items
        at its theta (0 for a measure in no group)."""
        total = np.zeros((3, len(theta)))
        for at, easiness in self.right_wrong:
            p = special.expit(theta[at, None] + easiness)
            q = p * (1 - p)
            total[:, at] += np.stack([p.sum(axis=1), q.sum(axis=1), (q * (1 - 2 * p)).sum(axis=1)])
        for at, items in self.others:
            for i in items:
                total[:, at] += _item_moments(theta[at], layout.of(beta, i))
        return total


def _measures(y: ScoreBlocks, beta: np.ndarray, layout: _Layout, weighted: bool) -> np.ndarray:
    """Each row's measure on the items it took by Newton's steps kept in a bracket: Warm's WLE, or the
    ML estimate (NaN for an extreme score); NaN for a row with no item. The rows of a block with the
    same score share theirs: it is computed once per such group."""
    groups, scores, extreme, placed, at = [], [], [], [], 0
    for b in y.blocks:
        total = b.scores.sum(axis=1)
        distinct, which = np.unique(total, return_inverse=True)
        groups.append((at + np.arange(len(distinct)), b.items))
        scores.append(distinct)
        extreme.append((distinct == 0) | (distinct == layout.m[b.items].sum()))
        placed.append((b.rows, at + which.ravel()))
        at += len(distinct)
    out = np.full(y.shape[0], np.nan)
    if not groups:
        return out
    group_scores, group_extreme = np.concatenate(scores), np.concatenate(extreme)
    forms = _Forms.of(groups, beta, layout)

    def f(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e, v, c = forms.moments(theta, beta, layout)
        value = group_scores - e
        if weighted:
            value = value + np.divide(c, 2 * v, out=np.zeros_like(c), where=v > 0)
        return value, v

    # Newton's steps (slope -V) inside a bracket that each value narrows; a step leaving the bracket
    # is replaced by its midpoint. f falls with theta, so the root is where it changes sign.
    low, high = np.full(len(group_scores), -20.0), np.full(len(group_scores), 20.0)
    theta = np.zeros(len(group_scores))
    going = np.ones(len(group_scores), dtype=bool) if weighted else ~group_extreme  # no ML root: extreme
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
    if not weighted:
        theta[group_extreme] = np.nan
    for rows, at in placed:
        out[rows] = theta[at]
    return out


def _fit(
    y: ScoreBlocks, theta: np.ndarray, beta: np.ndarray, layout: _Layout
) -> tuple[np.ndarray, np.ndarray]:
    """Infit and outfit mean squares per item, over persons with a finite ML measure."""
    k = len(layout.m)
    squared, variance, ratio, persons = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k)
    for b in y.blocks:
        t = theta[b.rows]
        known = ~np.isnan(t)
        if not known.any():
            continue
        t, x = t[known], b.scores[known]
        right_wrong = layout.m[b.items] == 1
        e, v = np.empty(x.shape), np.empty(x.shape)
        e[:, right_wrong] = special.expit(t[:, None] + beta[layout.starts[b.items[right_wrong]]][None, :])
        v[:, right_wrong] = e[:, right_wrong] * (1 - e[:, right_wrong])
        for j in np.flatnonzero(~right_wrong):
            e[:, j], v[:, j], _ = _item_moments(t, layout.of(beta, b.items[j]))
        d = (x - e) ** 2
        squared[b.items] += d.sum(axis=0)  # a block's items are distinct
        variance[b.items] += v.sum(axis=0)
        ratio[b.items] += (d / v).sum(axis=0)
        persons[b.items] += len(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        return squared / variance, ratio / persons


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

    `marks`: a persons x items matrix, or a ScoreBlocks (the same by blocks of rows with the same
    items, for large designs missing by design).

    `max_scores`: each item's m_i; by default the largest score in its column. Right/wrong items
    (m_i = 1) follow the Rasch model, the others the partial credit model.
    `anchors`: {column: its thresholds tau_i1..tau_im} fixed at those values (an earlier
    calibration's), so that the other items and every person are measured on the anchors' scale
    (no sum-zero constraint then); an anchored item is kept even when a category is empty here.
    """
    if isinstance(marks, ScoreBlocks):
        x = marks
    else:
        dense = np.asarray(marks, dtype=float)
        if dense.ndim != 2:
            raise ValueError(N_("`marks` must be persons x items, at least 2 items"))
        x = ScoreBlocks.from_dense(dense)
    if x.shape[1] < 2:
        raise ValueError(N_("`marks` must be persons x items, at least 2 items"))
    for b in x.blocks:
        if not np.all((b.scores >= 0) & (b.scores == np.round(b.scores))):
            raise ValueError(N_("scores must be whole numbers from 0 (NaN: not administered)"))
    # by default the largest score given; 0 for a column nobody was given
    top = (x.column_max() if max_scores is None else np.asarray(max_scores, dtype=float)).astype(int)
    if any(np.any(b.scores > top[b.items]) for b in x.blocks):
        raise ValueError(N_("a score is above its item's maximum"))
    anchors = dict(anchors or {})
    alike = tuple(i for i in _all_uncalibrable(x, top) if i not in anchors)
    if alike:
        _warn(f"items with a score nobody with a non-extreme total gave, not calibrated: {list(alike)}")
    keep = np.array([i for i in range(x.shape[1]) if i not in alike], dtype=int)
    if len(keep) < 2:
        raise ValueError(N_("fewer than 2 items can be calibrated"))
    y, layout = x.columns(keep), _Layout(top[keep])
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
        # estimates that ran off along a ridge until the likelihood went flat in rounding: their
        # errors are astronomical (10^7 logits and more), a real item's are below a few logits
        and (np.diag(covariance)[free] < _UNDETERMINED_SE**2).all()
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
    infit, outfit = _fit(y, _measures(y, beta, layout, weighted=False), beta, layout)
    wle = _measures(y, beta, layout, weighted=True)
    variance = _Forms.of([(b.rows, b.items) for b in y.blocks], beta, layout).moments(wle, beta, layout)[1]
    none = variance == 0  # no calibrated item taken
    wle_se = 1 / np.sqrt(np.where(none, 1.0, variance))
    wle[none] = wle_se[none] = np.nan
    scores, most = np.zeros(y.shape[0]), np.zeros(y.shape[0])
    for b in y.blocks:
        scores[b.rows] = b.scores.sum(axis=1)
        most[b.rows] = layout.m[b.items].sum()
    return RaschResult(
        _items(
            x.shape[1], keep, top, taus, tau_ses, infit, outfit, loglik, iterations, alike, beta, covariance
        ),
        RaschPersons(wle, wle_se, scores, most),
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
