"""People across events (issue 19, point 2): one person per NIP; a participant without a NIP joined to
someone only when the HR officer confirms; merge, split and undo audit-logged; conflicts listed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.hr_support import rewrite_archive
from tests.test_hr_events import EVENT, OTHER

TYPO_NIP = "199001012015031999"  # P0004's NIP as the 2021 list typed it


def _as_typed_in_2021(table, row):
    """P0003 has no NIP, P0004's NIP is mistyped and P0005's name differs."""
    if table == "persons" and row["person_id"] == "P0003":
        return {**row, "nip": None}
    if table == "persons" and row["person_id"] == "P0004":
        return {**row, "nip": TYPO_NIP}
    if table == "persons" and row["person_id"] == "P0005":
        return {**row, "name": "Seseorang Lain"}
    return row


@pytest.fixture(scope="session")
def two_events_template(hr_added_template, event_backup, tmp_path_factory) -> tuple[Path, Path]:
    """An HR workspace with 2019 as held and 2021 as typed then, made once: copy it (two_events)."""
    from tests.web_support import cli_run

    base = tmp_path_factory.mktemp("hr-two-events")
    folder = Path(shutil.copytree(hr_added_template, base / "sdm"))
    later = rewrite_archive(
        event_backup, base / "2021.zip", event_id=OTHER, dates="[2021-03-01]", edit=_as_typed_in_2021
    )
    cli_run("-w", str(folder), "hr", "add", str(later))
    return folder, later


@pytest.fixture
def two_events(hr, two_events_template) -> Path:
    """The test's workspace `hr` holds both events (a copy of the template); the 2021 backup's path."""
    folder, later = two_events_template
    shutil.rmtree(hr)
    shutil.copytree(folder, hr)
    return later


@pytest.fixture
def hr(hr_added) -> Path:
    """Here every HR workspace starts with the 2019 event added (a copy: quicker than adding it)."""
    return hr_added


def people(run, hr, *search: str) -> str:
    result = run("-w", str(hr), "hr", "people", "list", *search, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def number_of(listing: str, event: str) -> list[str]:
    """The numbers of the listed people who took part in `event`."""
    return [line.split()[0] for line in listing.splitlines()[2:] if event in line]


def name_of(run, hr, person_id: str, field: str = "name") -> str:
    from tests.test_backup import rows_of

    rows = rows_of(f"sqlite:///{hr / 'hr.db'}", EVENT)["persons"]
    return next(r[field] for r in rows if r["person_id"] == person_id)


def test_a_participant_without_a_nip_is_joined_only_when_confirmed(run, hr, two_events):
    name = name_of(run, hr, "P0003")
    listing = people(run, hr, "--search", name.split(",")[0])
    assert len(number_of(listing, "payakumbuh")) == 2  # two people until someone confirms

    review = run("-w", str(hr), "hr", "people", "match", "--review", "--lang", "en")
    assert review.exit_code == 0 and "Same name and unit" in review.stdout and name in review.stdout
    assert "1 candidates" in review.stdout
    assert len(number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")) == 2

    declined = run("-w", str(hr), "hr", "people", "match", "--lang", "en", input="n\n")
    assert declined.exit_code == 0 and "Merge them?" in declined.stdout
    assert len(number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")) == 2
    confirmed = run("-w", str(hr), "hr", "people", "match", "--lang", "en", input="y\n")
    assert confirmed.exit_code == 0 and "Merged (change" in confirmed.stdout
    joined = people(run, hr, "--search", name.split(",")[0])
    assert len(number_of(joined, EVENT)) == 1 and f"{OTHER} (merged)" in joined

    undone = run("-w", str(hr), "hr", "people", "undo", "--lang", "en")
    assert undone.exit_code == 0 and "people.merge" in undone.stdout
    assert len(number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")) == 2
    log = run("-w", str(hr), "hr", "log", "--lang", "en").stdout
    assert "people.merge" in log and "(undone)" in log and "people.undo" in log


def test_two_nips_are_one_person_only_by_command_and_stay_so(run, hr, event_backup, two_events, tmp_path):
    name = name_of(run, hr, "P0004")
    first = people(run, hr, "--search", name.split(",")[0])
    numbers = number_of(first, "payakumbuh")
    assert len(numbers) == 2 and TYPO_NIP in first  # not joined: two NIPs
    review = run("-w", str(hr), "hr", "people", "match", "--review", "--lang", "en").stdout
    assert name not in review  # people with NIPs are never candidates

    merged = run("-w", str(hr), "hr", "people", "merge", numbers[0], TYPO_NIP, "--lang", "en")
    assert merged.exit_code == 0, merged.stderr
    assert len(number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")) == 1

    # a newer backup of 2021 keeps the merge; a third event under the mistyped NIP joins the same person
    newer = rewrite_archive(
        two_events,
        tmp_path / "2021b.zip",
        created_at="2030-01-01T00:00:00Z",
        edit=lambda table, row: None if table == "essay_marks" else row,
    )
    assert "replaced" in run("-w", str(hr), "hr", "add", str(newer), "--lang", "en").stdout
    third = rewrite_archive(two_events, tmp_path / "2022.zip", event_id="payakumbuh-2022")
    assert run("-w", str(hr), "hr", "add", str(third)).exit_code == 0
    after = people(run, hr, "--search", name.split(",")[0])
    assert len(number_of(after, "payakumbuh")) == 1 and "payakumbuh-2022" in after and OTHER in after


def test_split_gives_one_events_participation_a_person_of_its_own_and_undo_puts_it_back(run, hr, two_events):
    nip = name_of(run, hr, "P0001", "nip")
    [number] = number_of(people(run, hr, "--search", nip), EVENT)
    split = run("-w", str(hr), "hr", "people", "split", number, "--event", OTHER, "--lang", "en")
    assert split.exit_code == 0 and f"participation in {OTHER} is now person" in split.stdout
    new = re.search(r"now person (\d+)", split.stdout).group(1)
    listing = people(run, hr, "--search", name_of(run, hr, "P0001"))
    assert f"{OTHER} (split)" in listing and len(number_of(listing, "payakumbuh")) == 2

    again = run("-w", str(hr), "hr", "people", "split", new, "--event", OTHER, "--lang", "en")
    assert again.exit_code == 2 and "HR-SPLIT-ONLY-EVENT" in again.stderr
    assert run("-w", str(hr), "hr", "people", "undo", "--lang", "en").exit_code == 0
    assert number_of(people(run, hr, "--search", nip), "payakumbuh") == [number]
    assert OTHER in people(run, hr, "--search", nip)


def test_undo_of_an_earlier_change_waits_for_the_later_one_on_the_same_people(run, hr, two_events):
    name = name_of(run, hr, "P0004")
    numbers = number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")
    first = run("-w", str(hr), "hr", "people", "merge", *numbers, "--lang", "en")
    n_merge = re.search(r"change (\d+)", first.stdout).group(1)
    split = run("-w", str(hr), "hr", "people", "split", numbers[0], "--event", OTHER, "--lang", "en")
    n_split = re.search(r"change (\d+)", split.stdout).group(1)
    refused = run("-w", str(hr), "hr", "people", "undo", n_merge, "--lang", "en")
    assert refused.exit_code == 2 and "HR-UNDO-LATER" in refused.stderr and n_split in refused.stderr
    assert run("-w", str(hr), "hr", "people", "undo", n_split).exit_code == 0
    assert run("-w", str(hr), "hr", "people", "undo", n_merge).exit_code == 0
    assert len(number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")) == 2
    nothing = run("-w", str(hr), "hr", "people", "undo", "--lang", "en")
    assert nothing.exit_code == 2 and "HR-UNDO-NOTHING" in nothing.stderr


def test_conflicts_and_refusals_are_said(run, hr, two_events):
    conflicts = run("-w", str(hr), "hr", "people", "conflicts", "--lang", "en")
    assert conflicts.exit_code == 0 and "Seseorang Lain" in conflicts.stdout
    assert name_of(run, hr, "P0005") in conflicts.stdout
    listing = people(run, hr)
    one, two = (line.split()[0] for line in listing.splitlines()[2:4])
    same_event = run("-w", str(hr), "hr", "people", "merge", one, two, "--lang", "en")
    assert same_event.exit_code == 2 and "HR-MERGE-SAME-EVENT" in same_event.stderr
    unknown = run("-w", str(hr), "hr", "people", "merge", one, "99999", "--lang", "en")
    assert unknown.exit_code == 2 and "HR-PERSON-UNKNOWN" in unknown.stderr
    itself = run("-w", str(hr), "hr", "people", "merge", one, one, "--lang", "en")
    assert itself.exit_code == 2 and "HR-MERGE-SAME" in itself.stderr


def test_confirming_every_candidate_keeps_the_nip_holder_and_recomputes_after_each_merge(
    run, hr, event_backup, tmp_path
):
    def no_nip(table, row):
        return {**row, "nip": None} if table == "persons" and row["person_id"] == "P0003" else row

    for year in ("2021", "2022"):
        path = rewrite_archive(
            event_backup, tmp_path / f"{year}.zip", event_id=f"payakumbuh-{year}", edit=no_nip
        )
        assert run("-w", str(hr), "hr", "add", str(path)).exit_code == 0
    assert run("-w", str(hr), "hr", "add", str(event_backup)).exit_code == 0
    nip = name_of(run, hr, "P0003", "nip")
    result = run("-w", str(hr), "hr", "people", "match", "--lang", "en", input="y\ny\ny\ny\n")
    assert result.exit_code == 0, result.stderr
    listing = people(run, hr, "--search", nip)
    assert listing.count("payakumbuh-") == 3 and len(number_of(listing, "payakumbuh")) == 1


def test_undoing_a_merge_takes_back_what_the_merged_nip_brought_since(run, hr, two_events, tmp_path):
    name = name_of(run, hr, "P0004")
    numbers = number_of(people(run, hr, "--search", name.split(",")[0]), "payakumbuh")
    assert run("-w", str(hr), "hr", "people", "merge", numbers[0], TYPO_NIP).exit_code == 0
    third = rewrite_archive(two_events, tmp_path / "2022.zip", event_id="payakumbuh-2022")
    assert run("-w", str(hr), "hr", "add", str(third)).exit_code == 0  # the typo NIP again: the merged person
    assert run("-w", str(hr), "hr", "people", "undo").exit_code == 0
    typo = people(run, hr, "--search", TYPO_NIP)
    assert OTHER in typo and "payakumbuh-2022" in typo and EVENT not in typo
