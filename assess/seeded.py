"""Seeded choices that give the same result on every machine and every version.

numpy promises its random streams only for one build on one machine; a form,
a paper variant and a participant's order must come out the same wherever and
whenever they are rebuilt from their seed. So they draw from SHA-256 in
counter mode, with plain Fisher-Yates shuffles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Stream:
    """Deterministic random numbers from a seed and any number of text salts."""

    def __init__(self, seed: int, *salt: str):
        self._key = hashlib.sha256("\x1f".join([str(seed), *salt]).encode()).digest()
        self._counter = 0

    def _next64(self) -> int:
        block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big")

    def below(self, n: int) -> int:
        """A whole number in [0, n), without modulo bias."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            x = self._next64()
            if x < limit:
                return x % n

    def shuffled(self, values: Sequence[T]) -> list[T]:
        out = list(values)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out

    def sample_indexes(self, n: int, k: int) -> list[int]:
        """k distinct indexes of range(n), in ascending order."""
        return sorted(self.shuffled(range(n))[:k])
