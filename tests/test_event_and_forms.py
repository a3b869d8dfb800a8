"""assessment.yaml, blueprints and forms: located errors, seeded draws, parallel forms, snapshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assess.bank.model import Matching, Ordering
from assess.event import Cell
from assess.event.file import build_forms, load_event
from assess.forms import BlueprintShortfall, Form, build_form, personal_order
from assess.problems import ProblemsFound

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml"


@pytest.fixture(scope="module")
def example():
    return load_event(EXAMPLE)


@pytest.fixture(scope="module")
def forms(example):
    return build_forms(example)


def write_event(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assessment.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_pre_and_parallel_post(example, forms):
    pre, post = forms["pre"], forms["post"]
    assert len(pre.items) == len(post.items) == 31
    assert not {i.id for i in pre.items} & {i.id for i in post.items}  # parallel: disjoint
    # The same cells; the M.01 and M.05 cells take any difficulty.
    cells = lambda f: sorted(  # noqa: E731
        (
            i.primary_competency,
            i.difficulty if i.primary_competency.startswith("T.") else None,
            i.type == "essay",
        )
        for i in f.items
    )
    assert cells(pre) == cells(post)
    assert all(i.status == "ready" for i in pre.items + post.items)
    # The essay cell's own types replace the blueprint's, which leave essays out of every other cell.
    for form in (pre, post):
        [essay] = [i for i in form.items if i.type == "essay"]
        assert (essay.primary_competency, essay.difficulty) == ("T.01", "hard")
    assert [v.label for v in pre.variants] == ["A", "B"]


def test_a_cells_types_replace_the_blueprints(example):
    def pre_with(*cells: Cell):
        phase = example.event.phases[0]
        blueprint = phase.blueprint.model_copy(update={"cells": list(cells), "types": ["single_choice"]})
        event = example.event.model_copy(
            update={"phases": [phase.model_copy(update={"blueprint": blueprint})]}
        )
        return build_form(event, "pre", example.pool)

    form = pre_with(Cell(competency="T.01", count=2, types=["essay"]), Cell(competency="T.01", count=3))
    assert sorted(i.type for i in form.items) == ["essay", "essay", *["single_choice"] * 3]
    essays = [
        i
        for items in example.pool.values()
        for i in items
        if i.primary_competency == "T.01" and i.type == "essay" and i.status == "ready"
    ]
    assert len(essays) >= 4 and len({i.cluster for i in essays if i.cluster}) == sum(
        1 for i in essays if i.cluster
    )
    with pytest.raises(BlueprintShortfall) as short:  # one more essay than the banks hold
        pre_with(Cell(competency="T.01", count=len(essays) + 1, types=["essay"]))
    assert [(s.need, s.have) for s in short.value.shortfalls] == [(len(essays) + 1, len(essays))]


def test_same_seed_and_banks_give_an_identical_form(example, forms):
    again = build_forms(load_event(EXAMPLE))
    assert again["pre"] == forms["pre"] and again["post"] == forms["post"]


def test_a_different_seed_draws_differently(example, forms):
    event = example.event.model_copy(
        update={"phases": [example.event.phases[0].model_copy(update={"seed": 7}), *example.event.phases[1:]]}
    )
    other = build_form(event, "pre", example.pool)
    assert other.seed == 7 and [i.id for i in other.items] != [i.id for i in forms["pre"].items]


def test_form_json_round_trip_is_exact(forms):
    for form in forms.values():
        assert Form.model_validate_json(form.model_dump_json()) == form


def test_the_hash_changes_when_scored_content_changes(example, forms):
    pre = forms["pre"]
    first = next(i for i in pre.items if i.type == "single_choice")
    other_key = next(o.id for o in first.options if o.id != first.key)
    changed_item = first.model_copy(update={"key": other_key})
    with_new_key = pre.model_copy(update={"items": [changed_item if i is first else i for i in pre.items]})
    assert with_new_key.content_hash() != pre.hash
    policy = pre.policy.model_copy(update={"type_weights": {}})
    assert pre.model_copy(update={"policy": policy}).content_hash() != pre.hash


def test_a_tampered_form_is_refused(forms):
    data = json.loads(forms["pre"].model_dump_json())
    item = next(i for i in data["items"] if i["type"] == "true_false")
    item["key"] = not item["key"]
    with pytest.raises(ValueError, match="does not match its hash"):
        Form.model_validate(data)


def test_variant_a_keeps_the_blueprint_order_and_b_shuffles(forms):
    pre = forms["pre"]
    a, b = pre.variant("A"), pre.variant("B")
    assert a.items == [i.id for i in pre.items]
    assert sorted(b.items) == sorted(a.items) and b.items != a.items


def test_personal_orders(forms):
    pre = forms["pre"]
    one, again, other = (
        personal_order(pre, "p-001"),
        personal_order(pre, "p-001"),
        personal_order(pre, "p-002"),
    )
    assert one == again and one != other
    assert sorted(one.items) == sorted(i.id for i in pre.items)
    for item in pre.items:
        shown = one.options.get(item.id)
        if isinstance(item, Ordering):
            assert shown != list(item.key)  # never shown in the correct order
        if isinstance(item, Matching):
            assert shown[: len(item.prompts)] != [item.key[p.id] for p in item.prompts]


def test_forms_are_the_same_on_every_machine(forms):
    """Drawn with SHA-256 streams, not a library's random generator: pinned, so a change shows."""
    assert forms["pre"].hash == "2f2da8b14a9f498a4ac8b3d871d1d96afe9a480dee1347595263b9d0145900eb"
    assert [i.id for i in forms["pre"].items][:4] == [
        "tupoksi-001",
        "tupoksi-008",
        "tupoksi-003",
        "tupoksi-058",
    ]
    assert forms["post"].hash == "a7bc3d7b675d4537e4c802159292107dd31b63ee2e62e48631ab4f0767c44000"


def test_ordering_and_matching_items_are_never_shown_in_their_key_order():
    from pydantic import TypeAdapter

    from assess.bank.model import Item
    from assess.event import Event

    adapter = TypeAdapter(Item)
    base = {"stem": "S", "competencies": ["T.01"], "status": "ready"}
    pool = [
        adapter.validate_python(
            {
                **base,
                "id": "o2",
                "type": "ordering",
                "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                "key": ["a", "b"],
            }
        ),
        adapter.validate_python(
            {
                **base,
                "id": "o3",
                "type": "ordering",
                "options": [{"id": c, "text": c * 2} for c in "abc"],
                "key": ["c", "a", "b"],
            }
        ),
        adapter.validate_python(
            {
                **base,
                "id": "m2",
                "type": "matching",
                "prompts": [{"id": "p", "text": "P"}, {"id": "q", "text": "Q"}],
                "choices": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}],
                "key": {"p": "x", "q": "y"},
            }
        ),
    ]
    event = Event.model_validate(
        {
            "event": {"id": "e", "title": "E", "dates": ["2026-01-05"]},
            "banks": ["b"],
            "phases": [
                {"id": "pre", "blueprint": {"cells": [{"competency": "T.01", "count": 3}], "variants": 3}}
            ],
        }
    )
    form = build_form(event, "pre", {"b": pool})
    orders = [personal_order(form, f"peserta-{n}") for n in range(300)] + list(form.variants)
    for order in orders:
        assert order.options["o2"] == ["b", "a"]
        assert order.options["o3"] != ["c", "a", "b"]
        assert order.options["m2"] == ["y", "x"]  # x, y would line the choices up with the prompts


EVENT_HEAD = """\
event:
  id: uji
  title: Uji
  dates: [2026-01-05]
banks: [tupoksi-kelurahan]
"""


def test_same_items_and_anchors(tmp_path):
    path = write_event(
        tmp_path,
        EVENT_HEAD
        + """\
phases:
  - id: pre
    blueprint:
      cells: [{competency: T.01, count: 10}]
  - id: post
    parallel_to: pre
    anchors: 3
  - id: ulang
    same_items: pre
""",
    )
    forms = build_forms(load_event(path))
    pre, post, ulang = (set(i.id for i in forms[p].items) for p in ("pre", "post", "ulang"))
    assert len(pre & post) == 3 and len(post) == 10
    assert ulang == pre


def test_a_shortfall_names_the_cell_in_the_users_language(tmp_path, run):
    path = write_event(
        tmp_path,
        EVENT_HEAD
        + """\
phases:
  - id: pre
    blueprint:
      cells:
        - {competency: T.01, difficulty: easy, count: 2}
        - {competency: M.05, difficulty: medium, count: 9}
""",
    )
    result = run("event", "check", str(path))
    assert result.exit_code == 2
    assert (
        f"{path}:11:11: FORM-SHORTFALL: phases[0].blueprint.cells[1]: fase pre: kompetensi M.05, sedang: perlu 9, bank punya 4"
        in result.stderr
    )
    english = run("event", "check", str(path), "--lang", "en")
    assert "phase pre: competency M.05, medium: needs 9, the banks have 4" in english.stderr


def test_a_parallel_form_that_cannot_be_filled(tmp_path):
    path = write_event(
        tmp_path,
        EVENT_HEAD
        + """\
phases:
  - id: pre
    blueprint:
      cells: [{competency: M.05, difficulty: medium, count: 3}]
  - id: post
    parallel_to: pre
""",
    )
    with pytest.raises(ProblemsFound) as e:
        build_forms(load_event(path))
    [problem] = e.value.problems
    assert problem.code == "FORM-SHORTFALL" and problem.params["need"] == 3 and problem.params["have"] == 1
    assert problem.line == 9  # the cell, in the phase that owns the blueprint


@pytest.mark.parametrize(
    "body, code, where",
    [
        ("phases:\n  - id: pre\n    same_items: post\n", "EVENT-PHASE-REFERENCE", "8:17"),
        ("phases:\n  - id: pre\n    title: Tanpa soal\n", "EVENT-PHASE-ITEMS", "7:5"),
        (
            "phases:\n  - id: pre\n    blueprint: {cells: [{competency: X.1, count: 1}]}\n",
            "EVENT-COMPETENCY-UNKNOWN",
            "8:38",
        ),
        (
            "phases:\n  - id: pre\n    blueprint: {cells: [{competency: T.01, count: 1}]}\nscoring: {single_choice: {penalty: 2}}\n",
            "EVENT-PENALTY",
            "9:36",
        ),
        (
            "phases:\n  - id: pre\n    blueprint: {cells: [{competency: T.01, count: 1}], variants: 30}\n",
            "FIELD-RANGE",
            "8:66",
        ),
    ],
)
def test_located_errors(tmp_path, run, body, code, where):
    path = write_event(tmp_path, EVENT_HEAD + body)
    result = run("event", "check", str(path), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert f"{path}:{where}: {code}" in result.stderr, result.stderr


def test_bad_time_zone_date_and_bank(tmp_path, run):
    path = write_event(
        tmp_path,
        """\
event:
  id: uji
  title: Uji
  dates: [2026-13-05]
  time_zone: Asia/Jakartaa
banks: [tidak-ada]
phases:
  - id: pre
    blueprint: {cells: [{competency: T.01, count: 1}]}
""",
    )
    result = run("event", "check", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}:4:11: FIELD-DATE" in result.stderr
    assert f"{path}:5:14: EVENT-TIME-ZONE" in result.stderr
    # The banks are looked up once the file itself is valid.
    fixed = path.read_text().replace("2026-13-05", "2026-01-05").replace("Jakartaa", "Jakarta")
    path.write_text(fixed)
    result = run("event", "check", str(path), "--lang", "en")
    assert f"{path}:6:9: EVENT-BANK-NOT-FOUND" in result.stderr


def test_banks_by_path_from_the_files_folder(tmp_path):
    shutil.copy(ROOT / "tests" / "fixtures" / "banks" / "contoh.yaml", tmp_path / "contoh.yaml")
    path = write_event(
        tmp_path,
        EVENT_HEAD.replace("[tupoksi-kelurahan]", "[contoh.yaml]")
        + """\
phases:
  - id: pre
    blueprint: {cells: [{competency: T.01, count: 3}], types: [single_choice, true_false, numeric]}
""",
    )
    [form] = build_forms(load_event(path)).values()
    assert {i.id for i in form.items} == {"contoh-001", "contoh-003", "contoh-007"}
    assert set(form.banks.values()) == {"contoh"}


def test_event_check_prints_the_forms(run):
    result = run("event", "check", str(EXAMPLE), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "phase pre: 31 items, variants A, B, hash " in result.stdout
    assert "phase post: 31 items" in result.stdout
    assert "    T.01     hard, essay      1\n" in result.stdout  # essays on a line of their own


# -- clusters: near-duplicates never on one form, nor across a pre-test and its parallel form -------


def test_a_cluster_gives_one_item_to_a_form_and_none_to_its_parallel_form(example):
    """Issue 17, point 2: two items of one cluster are never on one form, nor one on a pre-test and
    another on its parallel post-test; a shortfall counts a cluster once."""
    from assess.event import Blueprint
    from assess.forms import draw
    from assess.seeded import Stream

    t01 = sorted(
        (i for items in example.pool.values() for i in items if i.primary_competency == "T.01"),
        key=lambda i: i.id,
    )
    t01 = [i for i in t01 if i.status == "ready" and i.type != "essay"]
    kin = {i.id for i in t01[::3]}  # every third T.01 item asks "the same": one cluster
    # The test's own cluster only: the banks' clusters cleared.
    t01 = [i.model_copy(update={"cluster": None}) for i in t01]
    pool = [i.model_copy(update={"cluster": "sama"}) if i.id in kin else i for i in t01]
    blueprint = Blueprint(cells=[Cell(competency="T.01", count=8)])
    drawn_kin = 0
    for seed in range(40):
        pre = draw(blueprint, pool, Stream(seed, "draw"), phase="pre")
        in_pre = [i for i in pre if i.cluster == "sama"]
        assert len(pre) == 8 and len(in_pre) <= 1
        post = draw(blueprint, pool, Stream(seed, "post"), phase="post", exclude=pre)
        in_post = [i for i in post if i.cluster == "sama"]
        assert not {i.id for i in pre} & {i.id for i in post}
        assert len(in_post) <= 1 and not (in_pre and in_post)
        drawn_kin += len(in_pre) + len(in_post)
    assert drawn_kin >= 20  # the cluster's items are drawn, one at a time
    # Without clusters the draw is what it was: the same items for the same seed.
    plain = [i.model_copy(update={"cluster": None}) for i in pool]
    assert [i.id for i in draw(blueprint, plain, Stream(7, "draw"), phase="pre")] == [
        i.id for i in draw(blueprint, t01, Stream(7, "draw"), phase="pre")
    ]
    # All of the cluster's items count as one when a cell asks for more than the banks can give.
    everything = Blueprint(cells=[Cell(competency="T.01", count=len(pool))])
    with pytest.raises(BlueprintShortfall) as short:
        draw(everything, pool, Stream(1, "draw"), phase="pre")
    [shortfall] = short.value.shortfalls
    assert (shortfall.need, shortfall.have) == (len(pool), len(pool) - len(kin) + 1)


def test_two_ready_items_may_not_share_a_stem(tmp_path, run):
    bank = (ROOT / "question_banks" / "tupoksi-kelurahan.yaml").read_text(encoding="utf-8")
    first = bank.index("  - id: tupoksi-002")
    copy = bank[first:].split("\n\n", 1)[0].replace("tupoksi-002", "tupoksi-900")
    stem = "    stem: Dengan produk hukum apa sebuah kelurahan dibentuk?"
    assert stem in copy
    copy = copy.replace(stem, "    stem: dengan  produk hukum apa sebuah KELURAHAN dibentuk?")
    folder = tmp_path / "banks"
    shutil.copytree(ROOT / "question_banks", folder)
    (folder / "tupoksi-kelurahan.yaml").write_text(bank.rstrip("\n") + "\n\n" + copy + "\n", encoding="utf-8")
    result = run("bank", "validate", str(folder), "--lang", "en")
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if "BANK-DUPLICATE-STEM" in x]
    assert "tupoksi-kelurahan.yaml:" in line and "tupoksi-002" in line
    # A draft may share it while it is rewritten.
    (folder / "tupoksi-kelurahan.yaml").write_text(
        bank.rstrip("\n") + "\n\n" + copy.replace("status: ready", "status: draft") + "\n", encoding="utf-8"
    )
    assert run("bank", "validate", str(folder)).exit_code == 0


def test_the_examples_essay_cell_fills_on_both_tests_whatever_the_seed(example):
    """The pre-test draws one T.01 hard essay, and its other cells may take any clusters; the
    parallel post-test then still finds an essay only if at least two lie outside every cluster."""
    [cell] = [c for c in example.event.phases[0].blueprint.cells if c.types == ["essay"]]
    essays = [
        i
        for items in example.pool.values()
        for i in items
        if i.status == "ready"
        and i.type == "essay"
        and i.primary_competency == cell.competency
        and i.difficulty == cell.difficulty
    ]
    assert sum(1 for i in essays if i.cluster is None) >= 2 * cell.count
