"""A seeded, realistic synthetic bank of any size, every item type mixed in."""

from __future__ import annotations

import random

from assess.bank.yamlwrite import dump

WORDS = (
    "lurah camat kelurahan kecamatan pelayanan publik masyarakat pemberdayaan ketertiban umum "
    "prasarana fasilitas musyawarah pembangunan anggaran standar maklumat pengaduan sampah "
    "lingkungan hidup pengurangan penanganan pemilahan warga petugas loket berkas surat pengantar "
    "kepala daerah sekretaris peraturan undang-undang pasal ayat huruf tugas fungsi kewenangan"
).split()
TYPES = (
    "single_choice",
    "single_choice",
    "single_choice",
    "multiple_response",
    "true_false",
    "matching",
    "ordering",
    "short_answer",
    "numeric",
    "weighted_options",
    "essay",
)


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def options(rng: random.Random, n: int, prefix: str = "") -> list[dict]:
    return [
        {"id": f"{prefix}{chr(97 + i)}", "text": f"{sentence(rng, rng.randint(4, 9))} ({i})"}
        for i in range(n)
    ]


def item(rng: random.Random, n: int) -> dict:
    kind = rng.choice(TYPES)
    data: dict = {
        "id": f"gen-{n:05d}",
        "type": kind,
        "stem": sentence(rng, rng.randint(15, 35)),
        "competencies": rng.sample(["T.01", "T.02", "T.03", "M.01", "M.05"], rng.randint(1, 2)),
        "topic": rng.choice(["kedudukan lurah", "dana kelurahan", "pelayanan", "sampah"]),
        "difficulty": rng.choice(["easy", "medium", "medium", "hard"]),
        "cognitive_level": rng.choice(["remember", "understand", "apply", "analyze"]),
        "explanation": sentence(rng, rng.randint(15, 30)),
        "source": ["uu-23-2014-pasal-229"],
        "status": "ready",
    }
    if kind in ("single_choice", "multiple_response", "ordering"):
        data["options"] = opts = options(rng, rng.randint(4, 5))
        ids = [o["id"] for o in opts]
        data["key"] = (
            rng.choice(ids)
            if kind == "single_choice"
            else rng.sample(ids, 2)
            if kind == "multiple_response"
            else rng.sample(ids, len(ids))
        )
    elif kind == "true_false":
        data["key"] = rng.random() < 0.5
    elif kind == "matching":
        data["prompts"] = options(rng, 3, "p")
        data["choices"] = options(rng, 4, "c")
        data["key"] = {p["id"]: rng.choice(data["choices"])["id"] for p in data["prompts"]}
    elif kind == "short_answer":
        data["accepted"] = [{"text": "musyawarah pembangunan kelurahan"}, {"regex": r"^musyawarah\s+\w+$"}]
    elif kind == "numeric":
        data.update(value=rng.randint(1, 100), tolerance=0.5, unit="persen")
    elif kind == "weighted_options":
        data["options"] = [
            {**o, "points": p} for o, p in zip(options(rng, 5), rng.sample(range(1, 6), 5), strict=True)
        ]
    else:
        data["rubric"] = [{"id": f"l{p}", "label": sentence(rng, 5), "points": p} for p in range(4)]
    return data


def bank_yaml(n_items: int, seed: int = 2019) -> str:
    rng = random.Random(seed)
    return dump(
        {
            "kind": "bank",
            "id": "bench",
            "title": "Bank uji kecepatan",
            "version": "1",
            "framework": "kompetensi-asn",
            "items": [item(rng, i) for i in range(n_items)],
        }
    )
