"""The command line: exit codes, output, shared options, help for every command."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from assess import __version__
from assess.bank.model import ITEM_TYPES
from assess.cli import cli
from assess.resources import data_path

BANKS = str(data_path("question_banks"))
CONTOH = str(Path(__file__).parent / "fixtures" / "banks" / "contoh.yaml")  # one item of every type


def test_validate_shipped_banks_exits_0(run):
    result = run("bank", "validate", BANKS)
    assert result.exit_code == 0, result.output
    assert "bank 'lingkungan-hidup'" in result.stdout
    assert "OK: tidak ada masalah." in result.stdout


def test_validate_by_shipped_bank_id(run):
    result = run("bank", "validate", "lingkungan-hidup", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "lingkungan-hidup.yaml: bank 'lingkungan-hidup', " in result.stdout


def test_unknown_argument_is_a_usage_error(run):
    result = run("bank", "validate", "tidak-ada")
    assert result.exit_code == 2
    assert "ARG-NOT-FOUND" in result.stderr and "'tidak-ada'" in result.stderr


def test_validate_without_paths_checks_the_shipped_banks(run):
    result = run("bank", "validate")
    assert result.exit_code == 0
    assert f"{Path(BANKS) / 'lingkungan-hidup.yaml'}: bank 'lingkungan-hidup'" in result.stdout


def test_extra_option_is_a_usage_error_in_indonesian(run):
    result = run("bank", "validate", "--tidak-ada")
    assert result.exit_code == 2
    assert "Tidak ada opsi '--tidak-ada'" in result.stderr


def test_duplicate_ids_across_banks_name_both_places(run, tmp_path):
    bank = "kind: bank\nid: {bid}\ntitle: T\nitems:\n  - id: sama\n    type: true_false\n    stem: S\n    key: true\n    competencies: [T.01]\n"
    (tmp_path / "a.yaml").write_text(bank.format(bid="a"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(bank.format(bid="b"), encoding="utf-8")
    result = run("bank", "validate", str(tmp_path), "--lang", "en")
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if "BANK-DUPLICATE-ID" in x]
    assert line.startswith(f"{tmp_path / 'b.yaml'}:5:9: BANK-DUPLICATE-ID item 'sama': id:")
    assert f"also used at {tmp_path / 'a.yaml'}:5" in line


def test_unknown_competency_and_source_are_located(run, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "kind: bank\nid: x\ntitle: T\nitems:\n  - id: x-1\n    type: true_false\n    stem: S\n"
        "    key: true\n    competencies: [T.01, Q.9]\n    source: [uu-23-2014-pasal-229, uu-99]\n",
        encoding="utf-8",
    )
    result = run("bank", "validate", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}:9:26: BANK-COMPETENCY-UNKNOWN item 'x-1': competencies[1]:" in result.stderr
    assert f"{path}:10:36: BANK-SOURCE-UNKNOWN item 'x-1': source[1]:" in result.stderr


def test_stats_json(run):
    result = run("bank", "stats", CONTOH, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    [bank] = data["banks"]
    assert bank["id"] == "contoh"
    assert bank["items"] == 9
    assert set(bank["by_type"]) == set(ITEM_TYPES)
    assert bank["with_explanation"] == bank["with_source"] == 9
    assert bank["by_competency"]["T.01"] == 8
    assert data["total"]["banks"] == 1 and data["total"]["items"] == 9
    # Of the ready items: by first competency (what a blueprint cell draws by), and how many ask more
    # than to remember or understand (issue 17, point 4).
    from assess.bank.loader import load

    ready = [i for _b, i in load([CONTOH]).items() if i.status == "ready"]
    firsts: dict[str, int] = {}
    for item in ready:
        firsts[item.competencies[0]] = firsts.get(item.competencies[0], 0) + 1
    assert bank["ready"] == len(ready) and bank["ready_by_first_competency"] == firsts
    higher = sum(i.cognitive_level in ("apply", "analyze", "evaluate", "create") for i in ready)
    assert bank["ready_apply_or_higher"] == higher
    assert data["total"]["ready_by_first_competency"] == firsts


def test_stats_text_in_both_languages(run):
    assert "Jenis soal:" in run("bank", "stats", CONTOH).stdout
    assert "Item type:" in run("bank", "stats", CONTOH, "--lang", "en").stdout


def test_show_item_participant_view_then_key(run):
    result = run("bank", "show", "contoh-001", CONTOH)
    assert result.exit_code == 0
    out = result.stdout
    assert out.index("B. Camat") < out.index("Kunci:") < out.index("B (b)")
    matching = run("bank", "show", "contoh-004", CONTOH).stdout
    assert "Setiap jawaban boleh dipakai sekali, lebih dari sekali" in matching
    assert "Pembahasan:" in out and "[uu-23-2014-pasal-229]" in out


def test_show_unknown_item(run):
    result = run("bank", "show", "tidak-ada-001", BANKS)
    assert result.exit_code == 2
    assert "ITEM-NOT-FOUND" in result.stderr


@pytest.mark.parametrize("kind", ["bank", "framework", "sources"])
def test_schema_is_json_schema(run, kind):
    result = run("bank", "schema", "--kind", kind)
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "kind" in schema["properties"]


def test_schema_agrees_with_validate(run):
    import jsonschema
    import yaml_rs

    schemas = {
        kind: json.loads(run("bank", "schema", "--kind", kind).stdout)
        for kind in ("bank", "framework", "sources", "positions")
    }
    files = [Path(CONTOH), *sorted(Path(BANKS).glob("*.yaml"))]
    for path in files:
        data = yaml_rs.loads(path.read_text(encoding="utf-8"), parse_datetime=False)
        jsonschema.validate(data, schemas[data["kind"]])
    bank = yaml_rs.loads(Path(CONTOH).read_text(encoding="utf-8"), parse_datetime=False)
    bank["items"][0]["optionz"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bank, schemas["bank"])


def test_version(run):
    assert run("--version").stdout.strip() == f"assess, versi {__version__}"
    assert run("--lang", "en", "--version").stdout.strip() == f"assess, version {__version__}"


@pytest.mark.parametrize(
    "args, env, english",
    [
        (["--lang", "en", "bank", "validate", "nope"], None, True),
        (["bank", "--lang", "en", "validate", "nope"], None, True),
        (["bank", "validate", "nope", "--lang", "en"], None, True),
        (["bank", "validate", "nope"], {"ASSESS_LANG": "en"}, True),
        (["bank", "validate", "nope", "--lang", "id"], {"ASSESS_LANG": "en"}, False),
        (["bank", "validate", "nope"], None, False),
    ],
)
def test_lang_before_or_after_the_command(run, args, env, english):
    result = run(*args, env=env)
    assert result.exit_code == 2
    expected = "no such file, folder or shipped bank" if english else "tidak ada berkas, folder"
    assert expected in result.stderr


def test_bad_language_is_a_usage_error(run):
    assert run("--lang", "fr", "bank", "validate", BANKS).exit_code == 2


def _commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the lazy ones too
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_a_command_imports_only_what_it_needs():
    import subprocess
    import sys

    code = (
        "import sys; from assess.cli import cli; print('scipy' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# Run a command in a fresh interpreter, then list (on stderr) the modules it imported.
_IMPORTED_BY = """
import sys
from assess.cli import main
sys.argv = ["assess", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
print(code, *sorted(sys.modules), file=sys.stderr)
"""
_HEAVY = ("sqlalchemy", "alembic", "flask", "jinja2", "scipy.stats", "openpyxl", "pydantic")


@pytest.mark.parametrize(
    "args, data",
    [
        (["analyze", "items", "--matrix"], "id,q1,q2,q3\na,1,0,1\nb,0,0,1\nc,1,1,1\nd,0,1,0\n"),
        (["analyze", "prepost", "--pairs"], "id,pre,post\na,10,20\nb,30,35\nc,50,70\nd,20,20\n"),
    ],
    ids=["items", "prepost"],
)
def test_analyzing_a_file_imports_neither_the_store_nor_scipy_stats(tmp_path, args, data):
    """Issue 18, point 1: reading a CSV and printing statistics needs numpy, click and
    scipy.special, not the database, the web, the templates or scipy.stats (a second to import)."""
    import subprocess
    import sys

    path = tmp_path / "data.csv"
    path.write_text(data, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED_BY, *args, str(path), "--json"], capture_output=True, text=True
    )
    code, *modules = done.stderr.split()
    assert code in ("0", "None") and json.loads(done.stdout)  # the command did its work...
    heavy = [m for m in modules if m.split(".")[0] in _HEAVY or m.startswith(_HEAVY)]
    assert heavy == []  # ...without them
    assert "scipy.special" in modules and "numpy" in modules


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=" ".join)
def test_every_command_has_help_in_both_languages(run, path):
    indonesian = run(*path, "--help")
    english = run(*path, "--help", "--lang", "en")
    assert indonesian.exit_code == english.exit_code == 0
    assert "Cara pakai:" in indonesian.stdout and "Usage:" in english.stdout
    assert indonesian.stdout != english.stdout
    command = dict(_commands(cli))[path]
    assert command._help_msgid, f"{' '.join(path)} has no help"
    if not isinstance(command, click.Group):
        assert "Example:" in command._help_msgid


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "assess", "bank", "validate", BANKS, "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK: no problems found." in result.stdout


# -- issue 15, point 8: messages -------------------------------------------------------------------


def test_a_mistyped_top_level_command_gets_did_you_mean(run):
    """Top-level commands are loaded when used; their names still count for "did you mean"."""
    result = run("scor")
    assert result.exit_code == 2 and "'score'" in result.stderr and "Mungkin maksud Anda" in result.stderr
    english = run("--lang", "en", "partcipants")
    assert "Did you mean 'participants'?" in english.stderr


def test_clicks_placeholders_are_in_the_interfaces_language(run):
    usage = run("--help").stdout.splitlines()[0]
    assert usage.startswith("Cara pakai: ") and usage.endswith(" [OPSI] PERINTAH [ARGUMEN]...")
    items = run("analyze", "items", "--help").stdout
    assert "--matrix TEKS" in items and "BILANGAN DALAM RENTANG" in items and "TEXT" not in items
    english = run("--lang", "en", "analyze", "items", "--help").stdout
    assert (
        english.startswith("Usage: ") and "analyze items [OPTIONS]" in english and "--matrix TEXT" in english
    )


def test_event_check_outside_a_workspace_gives_the_same_next_step_as_every_command(
    run, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSESS_WORKSPACE", raising=False)
    result = run("--lang", "en", "event", "check")
    assert result.exit_code == 2 and "WORKSPACE-NOT-FOUND" in result.stderr
    assert "assess init" in result.stderr and "FILE-NOT-FOUND" not in result.stderr


def test_a_database_address_that_is_none_is_said_without_repeating_it(run, tmp_path):
    assert run("init", str(tmp_path / "ev")).exit_code == 0
    for address in ("notaurl", "mysqlx://guru:rahasia@db/ev"):
        result = run("--db", address, "participants", "list", cwd=tmp_path / "ev", env={"ASSESS_LANG": "en"})
        assert result.exit_code == 2 and "DB-URL-INVALID" in result.stderr, result.output
        assert "rahasia" not in result.output and "Traceback" not in result.output
