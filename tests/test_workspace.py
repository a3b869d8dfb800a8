"""The workspace: init, which folder and database (option > environment > default), and the steps."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from assess.store.store import Store
from assess.workspace import choose


@pytest.fixture
def example(tmp_path, run):
    folder = tmp_path / "pelatihan"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    return folder


def add_people(url: str, n: int = 6) -> None:
    store = Store.open(url)
    store.ensure_event("payakumbuh-2019", "Uji", "Asia/Jakarta")
    people = [
        {"person_id": f"P{k:04d}", "name": f"Peserta {k}", "access_code": f"KODE{k}"} for k in range(1, n + 1)
    ]
    store.add_participants("payakumbuh-2019", people, {}, {})
    store.close()


def test_init_scaffolds_a_commented_event_that_checks(tmp_path, run):
    folder = tmp_path / "baru"
    result = run("init", str(folder))
    assert result.exit_code == 0
    assert (folder / "peserta.xlsx").is_file()  # the participants template
    text = (folder / "assessment.yaml").read_text(encoding="utf-8")
    assert text.startswith("# assessment.yaml") and "blueprint:" in text
    assert run("event", "check", str(folder / "assessment.yaml")).exit_code == 0


def test_init_example_copies_it_untouched(example):
    from assess.resources import data_path

    source = data_path("examples") / "payakumbuh-2019"
    for path in source.rglob("*"):
        if path.is_file():
            assert (example / path.relative_to(source)).read_bytes() == path.read_bytes()


def test_init_refuses_a_folder_that_is_not_empty(example, run):
    result = run("init", str(example))
    assert result.exit_code == 2 and "WORKSPACE-NOT-EMPTY" in result.stderr


def test_choose_option_over_environment_over_default(example, tmp_path, monkeypatch):
    inner = example / "a" / "b"
    inner.mkdir(parents=True)
    assert choose(None, None, inner) == (example.resolve(), f"sqlite:///{example.resolve() / 'assess.db'}")
    other = tmp_path / "lain"
    other.mkdir()
    (other / "assessment.yaml").write_text((example / "assessment.yaml").read_text())
    monkeypatch.setenv("ASSESS_WORKSPACE", str(other))
    monkeypatch.setenv("ASSESS_DATABASE_URL", "sqlite:///dari-env.db")
    assert choose(None, None, inner) == (other, "sqlite:///dari-env.db")
    assert choose(str(example), "sqlite:///dari-opsi.db", inner) == (example, "sqlite:///dari-opsi.db")


def test_no_workspace_is_a_located_usage_error(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("score", "--lang", "en")
    assert result.exit_code == 2 and "WORKSPACE-NOT-FOUND" in result.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_workspace_and_db_options_before_or_after_the_command(example, tmp_path, run, where):
    db = f"sqlite:///{tmp_path / 'lain.db'}"
    options = ["-w", str(example), "--db", db]
    args = (
        [*options, "form", "build", "--phase", "pre"]
        if where == "before"
        else ["form", "build", "--phase", "pre", *options]
    )
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "lain.db").exists() and not (example / "assess.db").exists()


def test_steps_build_simulate_score(example, run, monkeypatch):
    monkeypatch.chdir(example / "")
    url = f"sqlite:///{example / 'assess.db'}"
    first = run("form", "build", "--phase", "post", "--lang", "en")
    assert first.exit_code == 2 and "WORKSPACE-FORM-FIRST" in first.stderr
    assert run("form", "build", "--phase", "pre").exit_code == 0
    assert run("form", "build", "--phase", "post").exit_code == 0
    add_people(url)
    result = run("simulate", "--seed", "7", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "phase pre: 6 simulated attempts" in result.stdout
    again = run("simulate", "--lang", "en")
    assert again.exit_code == 2 and "STORE-ATTEMPT-EXISTS" in again.stderr
    scored = run("score", "--lang", "en")
    assert scored.exit_code == 0 and "phase post: 6 attempts scored (0 provisional)" in scored.stdout
    rebuild = run("form", "build", "--phase", "pre", "--lang", "en")
    assert rebuild.exit_code == 2 and "STORE-FORM-IN-USE" in rebuild.stderr
    store = Store.open(url)
    results = store.results("payakumbuh-2019")
    assert len(results) == 12 and {r.phase_id for r in results} == {"pre", "post"}
    pre = {r.person_id: r.percentage for r in results if r.phase_id == "pre"}
    post = {r.person_id: r.percentage for r in results if r.phase_id == "post"}
    assert sum(post.values()) > sum(pre.values())  # the model's learning gain shows
    store.close()


def test_simulation_is_reproducible(example, tmp_path, run):
    outcomes = []
    for n in range(2):
        db = f"sqlite:///{tmp_path / f'sim{n}.db'}"
        for phase in ("pre", "post"):
            assert run("-w", str(example), "--db", db, "form", "build", "--phase", phase).exit_code == 0
        add_people(db)
        assert run("-w", str(example), "--db", db, "simulate", "--seed", "11").exit_code == 0
        assert run("-w", str(example), "--db", db, "score").exit_code == 0
        store = Store.open(db)
        outcomes.append([(r.person_id, r.phase_id, r.points) for r in store.results("payakumbuh-2019")])
        store.close()
    assert outcomes[0] == outcomes[1]


def test_an_unreachable_database_exits_3(example, run):
    result = run(
        "-w", str(example), "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none", "score", "--lang", "en"
    )
    assert result.exit_code == 3
    assert "the database cannot be reached" in result.stderr


def test_a_newer_database_exits_3(example, run):
    db = example / "assess.db"
    assert run("-w", str(example), "form", "build", "--phase", "pre").exit_code == 0
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    result = run("-w", str(example), "score", "--lang", "en")
    assert result.exit_code == 3 and "newer version of assess (9999_future)" in result.stderr


def test_environment_database_is_used(example, tmp_path, run, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("ASSESS_DATABASE_URL", f"sqlite:///{db}")
    assert run("-w", str(example), "form", "build", "--phase", "pre").exit_code == 0
    assert db.exists() and not (example / "assess.db").exists()
    assert os.environ["ASSESS_DATABASE_URL"].endswith("env.db")
