"""Every malformed bank in the corpus gets located, coded messages and exit 2, in both languages.

Each file under fixtures/malformed/ starts with comment lines that state what
`assess bank validate FILE` must report, one line per problem:

    # expect: CODE LINE:COLUMN [item=ID] [field=PATH]

LINE:COLUMN may be `-` for a problem of the whole file. The reported problems
must be exactly those expected: no more, no fewer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "fixtures" / "malformed"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml"))
_EXPECT = re.compile(r"^# expect: (?P<code>[A-Z0-9-]+) (?P<pos>-|\d+:\d+)(?P<rest>.*)$")
_REPORTED = re.compile(
    r"^(?P<file>[^:]+)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<code>[A-Z0-9-]+)"
    r"(?: (?:soal|item) (?:'(?P<item>[^']*)'|#(?P<nr>\d+)|ke-(?P<nr_id>\d+)))?: "
    r"(?:(?P<field>[A-Za-z_][\w.\[\]-]*): )?(?P<message>.+)$"
)


def expected(path: Path) -> set[tuple]:
    out = set()
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        m = _EXPECT.match(line)
        if not m:
            continue
        opts = dict(part.split("=", 1) for part in m["rest"].split())
        out.add((m["code"], m["pos"], opts.get("item"), opts.get("field")))
    return out


def reported(stderr: str, path: Path) -> set[tuple]:
    out = set()
    for line in stderr.splitlines():
        if line.startswith(str(path)):
            m = _REPORTED.match(line)
            assert m, f"unparsable problem line: {line}"
            pos = f"{m['line']}:{m['col']}" if m["line"] else "-"
            item = m["item"] or (f"#{m['nr'] or m['nr_id']}" if (m["nr"] or m["nr_id"]) else None)
            out.add((m["code"], pos, item, m["field"]))
    return out


def test_corpus_is_large_enough():
    assert len(FILES) >= 25
    for path in FILES:
        assert expected(path), f"{path.name} states no expected problem"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_malformed_bank_is_located_and_coded(run, path, lang):
    result = run("bank", "validate", str(path), "--lang", lang)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert reported(result.stderr, path) == expected(path)
    last = result.stderr.rstrip().splitlines()[-1]
    assert last.endswith(("problems found.", "masalah ditemukan.", "problem found."))
    # No problem may go unlisted: the count is the number expected.
    assert last.split()[0] == str(len(expected(path)))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_messages_differ_by_language(run, path):
    indonesian = run("bank", "validate", str(path)).stderr
    english = run("bank", "validate", str(path), env={"ASSESS_LANG": "en"}).stderr
    assert indonesian != english
    codes = lambda text: sorted(re.findall(r": ([A-Z][A-Z0-9]+-[A-Z0-9-]+)", text))  # noqa: E731
    assert codes(indonesian) == codes(english)
