"""Bulk scoring: 100,000 attempts x 50 mixed-type items, from encoded responses. Target: at most 1 s.

Timed again after a key and a policy change (no re-encoding). Encoding the
responses is reported on its own line. Also: personal orders for 1,000
participants (target: at most 1 s).
"""

from __future__ import annotations

import random
import time

import numpy as np
from pydantic import TypeAdapter

from assess.bank.model import (
    Essay,
    Item,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    TrueFalse,
)
from assess.event import Event
from assess.event.policy import Grading, ScoringPolicy
from assess.forms import build_form, personal_order
from assess.responses import encode_item
from assess.scoring import score_bulk
from benchmarks.bank_generator import item as generated_item
from benchmarks.timing import median_seconds

N_ATTEMPTS = 100_000
N_ITEMS = 50
REPEAT = 5
ITEM = TypeAdapter(Item)


def items(rng: random.Random) -> list:
    return [ITEM.validate_python(generated_item(rng, n)) for n in range(N_ITEMS)]


def values(item, rng: np.random.Generator, n: int) -> list:
    """n plausible normalised responses, about 5% blank."""
    blank = rng.random(n) < 0.05
    if isinstance(item, TrueFalse):
        raw = list(rng.random(n) < 0.6)
    elif isinstance(item, MultipleResponse):
        ids = [o.id for o in item.options]
        raw = [frozenset(x for x in ids if rng.random() < 0.4) or None for _ in range(n)]
    elif isinstance(item, Matching):
        choices = [c.id for c in item.choices]
        raw = [
            {p.id: choices[k] for p, k in zip(item.prompts, rng.integers(0, len(choices), 3), strict=False)}
            for _ in range(n)
        ]
    elif isinstance(item, Ordering):
        ids = [o.id for o in item.options]
        raw = [tuple(ids[k] for k in rng.permutation(len(ids))) for _ in range(n)]
    elif isinstance(item, ShortAnswer):
        pool = [
            "musyawarah pembangunan kelurahan",
            "Musyawarah  Desa",
            "musrenbang",
            "tidak tahu",
            "MUSYAWARAH RW",
        ]
        raw = [pool[k] for k in rng.integers(0, len(pool), n)]
    elif isinstance(item, Numeric):
        raw = list(item.value + rng.normal(0, 2, n).round(1))
    elif isinstance(item, Essay):
        raw = ["jawaban uraian"] * n
    else:  # single choice, weighted options
        ids = [o.id for o in item.options]
        raw = [ids[k] for k in rng.integers(0, len(ids), n)]
    return [
        None if b else bool(v) if isinstance(v, np.bool_) else float(v) if isinstance(v, np.floating) else v
        for v, b in zip(raw, blank, strict=True)
    ]


def main() -> dict[str, float]:
    form_items = items(random.Random(2026))
    rng = np.random.default_rng(2026)
    responses = [values(i, rng, N_ATTEMPTS) for i in form_items]
    marks = {
        k: rng.choice([r.points for r in i.rubric] + [np.nan], N_ATTEMPTS)
        for k, i in enumerate(form_items)
        if isinstance(i, Essay)
    }
    start = time.perf_counter()
    encoded = [encode_item(i, v) for i, v in zip(form_items, responses, strict=True)]
    encoding = time.perf_counter() - start
    policy, grading = ScoringPolicy(), Grading()
    first = median_seconds(lambda: score_bulk(form_items, policy, grading, encoded, marks), REPEAT)
    # A key changes (a trainer corrects an item) and the policy changes: re-score, no re-encoding.
    k = next(n for n, i in enumerate(form_items) if i.type == "single_choice")
    item = form_items[k]
    form_items[k] = item.model_copy(update={"key": next(o.id for o in item.options if o.id != item.key)})
    policy = ScoringPolicy.model_validate(
        {
            "single_choice": {"penalty": "auto"},
            "multiple_response": {"rule": "all_or_nothing"},
            "type_weights": {"weighted_options": 0.2},
        }
    )
    second = median_seconds(lambda: score_bulk(form_items, policy, grading, encoded, marks), REPEAT)
    result = score_bulk(form_items, policy, grading, encoded, marks)
    assert result.points.shape == (N_ATTEMPTS, N_ITEMS)

    event = Event.model_validate(
        {
            "event": {"id": "bench", "title": "Bench", "dates": ["2026-01-05"]},
            "banks": ["x"],
            "phases": [
                {
                    "id": "pre",
                    "blueprint": {
                        "cells": [
                            {"competency": c, "count": 1} for c in ("T.01", "T.02", "T.03", "M.01", "M.05")
                        ]
                    },
                }
            ],
        }
    )
    pool = {"x": [i.model_copy(update={"status": "ready"}) for i in form_items]}
    form = build_form(event, "pre", pool)
    form = form.model_copy(update={"items": [i.model_copy(update={"status": "ready"}) for i in form_items]})
    orders = median_seconds(lambda: [personal_order(form, f"peserta-{n}") for n in range(1000)], REPEAT)

    print(f"scoring, {N_ATTEMPTS:,} attempts x {N_ITEMS} mixed-type items, median of {REPEAT}:")
    print(f"  encoding the responses (once)    {encoding:6.3f} s")
    print(f"  bulk scoring                     {first:6.3f} s   target <= 1.000 s")
    print(f"  again after a key and a policy change {second:6.3f} s   target <= 1.000 s")
    print(f"personal orders, 1,000 participants x {N_ITEMS} items {orders:6.3f} s   target <= 1.000 s")
    return {"encoding_s": encoding, "scoring_s": first, "rescoring_s": second, "orders_s": orders}


if __name__ == "__main__":
    main()
