"""Item-writing lint: each classic flaw found, located, coded and silenceable only in its item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess.bank.lint import CODES, key_position_finding, lint
from assess.bank.loader import load
from assess.problems.codes import MESSAGES
from assess.resources import data_path

FLAWED = Path(__file__).parent / "fixtures" / "lint" / "flawed.yaml"


def findings_of(path: Path = FLAWED):
    library = load([str(path)])
    return {
        (f.code, library.banks[0].items[f.item].id if f.item is not None else None, f.path)
        for f in lint(library.banks, library.sources)
        if not f.silenced
    }


def test_every_lint_code_has_a_message():
    assert set(CODES) <= set(MESSAGES)


@pytest.mark.parametrize(
    "expected",
    [
        ("LINT-ALL-NONE-OF-THE-ABOVE", "cacat-001", ("options", 2, "text")),
        ("LINT-KEY-LONGEST", "cacat-002", ("options", 0, "text")),
        ("LINT-NEGATIVE-STEM", "cacat-003", ("stem",)),
        ("LINT-KEY-ECHOES-STEM", "cacat-004", ("options", 0, "text")),
        ("LINT-OPTION-RESTATES-STEM", "cacat-004", ("options", 0, "text")),
        ("LINT-NO-EXPLANATION", "cacat-005", ("id",)),
        ("LINT-NEAR-DUPLICATE", "cacat-006", ("stem",)),
        ("LINT-NO-SOURCE", "cacat-006", ("id",)),
        ("LINT-LAW-UNQUOTED", "cacat-007", ("source",)),
        ("LINT-IGNORE-UNKNOWN-CODE", "cacat-008", ("lint_ignore", 0, "code")),
        ("LINT-TRUE-FALSE-ABSOLUTE", "cacat-009", ("stem",)),
        ("LINT-OPTION-LONGEST", "cacat-010", ("options", 2, "text")),
        ("LINT-OPTION-LONGEST", "cacat-001", ("options", 2, "text")),
    ],
)
def test_each_flaw_is_found(expected):
    assert expected in findings_of()


def test_clean_items_get_no_warning():
    found = findings_of()
    # cacat-008's options are of similar length, its question is positive and its key shares no stem word.
    assert {code for code, item, _ in found if item == "cacat-008"} == {"LINT-IGNORE-UNKNOWN-CODE"}
    # An emphasised negative is fine.
    assert not any(code == "LINT-NEGATIVE-STEM" and item != "cacat-003" for code, item, _ in found)


def test_cli_exit_1_with_located_warnings(run):
    result = run("bank", "lint", str(FLAWED), "--lang", "en")
    assert result.exit_code == 1
    assert f"{FLAWED}:12:23: LINT-ALL-NONE-OF-THE-ABOVE item 'cacat-001': options[2].text:" in result.stdout
    assert (
        f"{FLAWED}:30:11: LINT-NEGATIVE-STEM item 'cacat-003': stem: a negative question with 'bukan'"
        in result.stdout
    )
    assert result.stdout.rstrip().endswith("14 warnings; 0 silenced by lint_ignore.")


def test_silencing_in_the_item_is_counted(run, tmp_path):
    text = FLAWED.read_text(encoding="utf-8").replace(
        "    explanation: Lurah memimpin kelurahan.\n",
        "    explanation: Lurah memimpin kelurahan.\n"
        "    lint_ignore: [{code: LINT-ALL-NONE-OF-THE-ABOVE, reason: soal contoh untuk pelatih}]\n",
    )
    path = tmp_path / "flawed.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("bank", "lint", str(path), "--lang", "en")
    assert result.exit_code == 1
    assert "LINT-ALL-NONE-OF-THE-ABOVE" not in result.stdout
    assert result.stdout.rstrip().endswith("13 warnings; 1 silenced by lint_ignore.")
    stats = json.loads(run("bank", "stats", str(path), "--json").stdout)
    assert stats["banks"][0]["lint_silenced"] == 1


def test_a_clean_bank_exits_0(run, tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(
        "kind: bank\nid: bersih\ntitle: Bersih\nitems:\n  - id: bersih-1\n    type: true_false\n"
        "    stem: Lurah bertanggung jawab kepada camat.\n    key: true\n    competencies: [T.01]\n"
        "    explanation: Pasal 229 ayat (2) UU 23/2014.\n    source: [uu-23-2014-pasal-229]\n    status: ready\n",
        encoding="utf-8",
    )
    result = run("bank", "lint", str(path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == "0 peringatan; 0 dibungkam dengan lint_ignore."


def test_invalid_bank_exits_2(run):
    bad = Path(__file__).parent / "fixtures" / "malformed" / "31-key-not-an-option.yaml"
    assert run("bank", "lint", str(bad)).exit_code == 2


def _single_choice_bank(key_positions: list[int]):
    from assess.bank.documents import Bank

    items = [
        {
            "id": f"k-{n}",
            "type": "single_choice",
            "stem": f"Soal {n}?",
            "competencies": ["T.01"],
            "options": [{"id": c, "text": f"Pilihan {c}"} for c in "abcd"],
            "key": "abcd"[p],
        }
        for n, p in enumerate(key_positions)
    ]
    return Bank.model_validate({"kind": "bank", "id": "k", "title": "K", "items": items})


def test_key_position_concentration():
    assert key_position_finding(_single_choice_bank([0, 1, 2, 3, 0, 1, 2, 3, 0, 1])) is None
    finding = key_position_finding(_single_choice_bank([0, 0, 0, 0, 0, 1, 2, 3, 0, 1]))
    assert finding is not None and finding.params["position"] == "A" and finding.params["count"] == 6
    # Too few items to judge.
    assert key_position_finding(_single_choice_bank([0, 0, 0])) is None


def test_shipped_banks_lint_clean_with_few_silenced(run):
    result = run("bank", "lint", str(data_path("question_banks")), "--lang", "en")
    assert result.exit_code == 0, result.stdout
    stats = json.loads(run("bank", "stats", str(data_path("question_banks")), "--json").stdout)
    for bank in stats["banks"]:
        assert bank["lint_silenced"] <= 0.05 * bank["items"], bank["id"]


def test_near_duplicates_finds_what_comparing_every_pair_finds():
    """The prefix filter only skips pairs that cannot reach the threshold: on the shipped stems, with
    copies one to three words apart (similarities on both sides of it), it finds every pair a
    comparison of all pairs finds, and no other."""
    import random
    from itertools import combinations

    from assess.bank.documents import Bank
    from assess.bank.lint import NEAR_DUPLICATE_SIMILARITY, _shingles, near_duplicates

    library = load([str(data_path("question_banks"))])
    stems = [item.stem for bank in library.banks for item in bank.items]
    rng = random.Random(17)
    for stem in stems[::4]:
        words = stem.split()
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(words))
            words[k : k + 1] = rng.choice([[], ["tetap", words[k]], ["kembali"]])
        stems.append(" ".join(words))
    # At the threshold exactly: 10 triples and 8 of them (similarity 0.8), the tightest case of
    # the filter's bound; and 10 and 7 (0.7) just under it.
    for n in range(10):
        words = [f"kata{n}x{k}" for k in range(12)]
        stems += [" ".join(words), " ".join(words[:10]), " ".join(words[1:10])]
    banks = [
        Bank.model_validate(
            {
                "kind": "bank",
                "id": f"b{n}",
                "title": "B",
                "items": [
                    {
                        "id": f"b{n}-{k}",
                        "type": "true_false",
                        "stem": s,
                        "key": True,
                        "competencies": ["T.01"],
                    }
                    for k, s in enumerate(part)
                ],
            }
        )
        for n, part in enumerate([stems[:200], stems[200:]])
    ]
    places = [(b, i) for b, bank in enumerate(banks) for i in range(len(bank.items))]
    shingles = {p: _shingles(banks[p[0]].items[p[1]].stem) for p in places}
    every_pair = {
        (a, b)
        for a, b in combinations(places, 2)
        if len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b]) >= NEAR_DUPLICATE_SIMILARITY
    }
    below = {
        (a, b)
        for a, b in combinations(places, 2)
        if 0.6 <= len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b]) < NEAR_DUPLICATE_SIMILARITY
    }
    found = {(a, b) for a, b, _ in near_duplicates(banks)}
    assert found == every_pair
    # Copies on both sides of the threshold, so that a filter too eager or too lax shows.
    assert len(every_pair) >= 15 and len(below) >= 15
