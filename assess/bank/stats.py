"""Counts that tell a bank author what a bank covers (pure: no I/O)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from assess.bank.documents import Bank
from assess.bank.model import ItemBase

DIMENSIONS = ("type", "competency", "topic", "difficulty", "cognitive_level", "status")
APPLY_OR_HIGHER = frozenset({"apply", "analyze", "evaluate", "create"})


def item_counts(items: Iterable[ItemBase]) -> dict[str, Any]:
    """Items by each dimension, and how many carry an explanation and a source; of the ready items,
    how many there are by first competency (a blueprint cell draws by it) and how many ask to apply,
    analyze, evaluate or create.

    An item with several competencies counts once under each of them in `by_competency`.
    """
    by: dict[str, Counter] = {d: Counter() for d in DIMENSIONS}
    first: Counter = Counter()  # ready items by their first (primary) competency: what blueprints draw
    total = explained = sourced = ready = higher = 0
    for item in items:
        if item.status == "ready":
            ready += 1
            first[item.primary_competency] += 1
            higher += item.cognitive_level in APPLY_OR_HIGHER
        total += 1
        by["type"][item.type] += 1  # type: ignore[attr-defined]
        by["competency"].update(item.competencies)
        by["topic"][item.topic or "-"] += 1
        by["difficulty"][item.difficulty] += 1
        by["cognitive_level"][item.cognitive_level or "-"] += 1
        by["status"][item.status] += 1
        explained += item.explanation is not None
        sourced += bool(item.source)
    return {
        "items": total,
        **{f"by_{d}": dict(sorted(by[d].items())) for d in DIMENSIONS},
        "with_explanation": explained,
        "with_source": sourced,
        "ready": ready,
        "ready_by_first_competency": dict(sorted(first.items())),
        "ready_apply_or_higher": higher,  # cognitive level apply, analyze, evaluate or create
    }


def bank_stats(
    banks: list[Bank], files: dict[str, str] | None = None, silenced: dict[str, int] | None = None
) -> dict[str, Any]:
    """Counts per bank and over all banks, ready for JSON.

    `silenced` gives the lint warnings silenced by `lint_ignore`, per bank id.
    """
    files, silenced = files or {}, silenced or {}
    return {
        "banks": [
            {
                "id": b.id,
                "title": b.title,
                "file": files.get(b.id),
                **item_counts(b.items),
                "lint_silenced": silenced.get(b.id, 0),
            }
            for b in banks
        ],
        "total": {
            "banks": len(banks),
            **item_counts(i for b in banks for i in b.items),
            "lint_silenced": sum(silenced.values()),
        },
    }
