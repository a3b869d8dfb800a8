"""One scale across events (issue 19, point 6): stored calibration runs; a later run fixes the items it
shares with the run before, so that earlier measures do not move; another text is another item; the
reported scale is 500 + 100 (theta - m) / s with the first run's m and s."""

from __future__ import annotations

import sqlalchemy as sa

from assess.store import hr_runs
from tests.hr_support import changing_an_item, rewrite_archive
from tests.test_hr_events import EVENT, OTHER


def engine_of(hr):
    return sa.create_engine(f"sqlite:///{hr / 'hr.db'}")


def test_a_later_run_leaves_earlier_measures_where_they_were(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    first = run("-w", str(hr), "hr", "calibrate", "--lang", "en")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("Run 1:") and "0 fixed" in first.stdout

    edit, changed = changing_an_item("pre", 0)
    later = rewrite_archive(
        event_backup, tmp_path / "2021.zip", event_id=OTHER, dates="[2021-03-01]", edit=edit
    )
    assert run("-w", str(hr), "hr", "add", str(later)).exit_code == 0
    second = run("-w", str(hr), "hr", "calibrate", "--lang", "en")
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("Run 2:") and "fixed from run 1" in second.stdout

    engine = engine_of(hr)
    run1, run2 = hr_runs.runs(engine)
    assert run2.anchored_to == 1 and (run2.scale_mean, run2.scale_sd) == (run1.scale_mean, run1.scale_sd)
    before = {(m.event_id, m.phase_id, m.person_id): m for m in hr_runs.run_measures(engine, 1)}
    after = {(m.event_id, m.phase_id, m.person_id): m for m in hr_runs.run_measures(engine, 2)}
    measured = [k for k, m in before.items() if m.theta is not None]
    assert len(measured) > 40
    for key in measured:
        assert abs(after[key].theta - before[key].theta) < 1e-6  # earlier measures do not move
        assert after[key].scaled == before[key].scaled or abs(after[key].scaled - before[key].scaled) < 1e-4
        m = after[key]
        assert abs(m.scaled - (500 + 100 * (m.theta - run1.scale_mean) / run1.scale_sd)) < 1e-9
        assert 0 <= m.percentage <= 100  # the percent correct, beside every measure
    items1 = {(i.item_id, i.content_hash): i for i in hr_runs.run_items(engine, 1)}
    items2 = {(i.item_id, i.content_hash): i for i in hr_runs.run_items(engine, 2)}
    for key, item in items1.items():
        assert items2[key].anchored and items2[key].thresholds == item.thresholds
    # the reworded item is another item: two versions, the new one estimated, not fixed
    versions = [i for (item_id, _h), i in items2.items() if item_id == changed["item"]]
    assert len(versions) == 2 and sorted(v.anchored for v in versions) == [False, True]
    # the 2021 copy answered like 2019 on the same items: the same measures there
    same = [k for k in measured if k[0] == EVENT]
    assert any(
        abs(after[(OTHER, p, person)].theta - after[(EVENT, p, person)].theta) < 0.2 for _e, p, person in same
    )
    engine.dispose()
    listed = run("-w", str(hr), "hr", "runs", "--lang", "en").stdout
    assert listed.splitlines()[3].split()[:4] == [
        "2",
        listed.splitlines()[3].split()[1],
        listed.splitlines()[3].split()[2],
        "1",
    ]


def test_nothing_to_calibrate_is_said(run, hr):
    result = run("-w", str(hr), "hr", "calibrate", "--lang", "en")
    assert result.exit_code == 2 and "HR-CALIBRATION-NO-RESULTS" in result.stderr
    assert "No runs yet" in run("-w", str(hr), "hr", "runs", "--lang", "en").stdout


def test_forms_sharing_no_item_are_left_out_named_and_the_largest_group_calibrated():
    """A post-test drawn with no item of the pre-test's has no place on the pre-test's scale."""
    import numpy as np

    from assess.analysis.rasch import ScoreBlocks
    from assess.hr.calibration import linked_columns

    nan = np.nan
    marks = np.array(
        [
            [1, 0, 1, nan, nan],  # pre: items 0-2
            [0, 1, 1, nan, nan],
            [1, 1, 0, nan, nan],
            [nan, nan, nan, 1, 0],  # post: items 3-4, no item shared
            [nan, nan, nan, 0, 1],
        ]
    )
    assert linked_columns(ScoreBlocks.from_dense(marks), set()).tolist() == [True, True, True, False, False]
    assert linked_columns(ScoreBlocks.from_dense(marks), {4}).tolist() == [
        False,
        False,
        False,
        True,
        True,
    ]  # the anchors' group
    joined = np.vstack([marks, [1, nan, nan, 1, nan]])  # one result with items of both: one scale
    assert linked_columns(ScoreBlocks.from_dense(joined), set()).all()


def test_a_participant_removed_from_an_event_is_not_calibrated(run, hr, event_backup, tmp_path):
    """Results of a participant the trainer removed stay out of the calibration, as out of every list."""
    from assess.hr import HrWorkspace
    from assess.hr.calibration import gather
    from assess.store.engine import sqlite_url

    def remove_p0001(table, row):
        if table == "participations" and row["person_id"] == "P0001":
            return {**row, "removed_at": "2019-10-31T00:00:00"}
        return row

    edited = rewrite_archive(event_backup, tmp_path / "removed.zip", edit=remove_p0001)
    assert run("-w", str(hr), "hr", "add", str(edited)).exit_code == 0
    ws = HrWorkspace(hr, sqlite_url(hr / "hr.db"))
    try:
        found = gather(ws.store)
        people = {person for _e, _p, person, _pct in found.rows}
        assert "P0001" not in people and {"P0002", "P0003"} <= people
        assert len(found.cell_rows) == len(found.cell_columns) == len(found.cell_points) > 0
        results = {r.person_id for r in ws.store.results(EVENT)}
        assert people == results  # the same participants as the event's own results
    finally:
        ws.close()
