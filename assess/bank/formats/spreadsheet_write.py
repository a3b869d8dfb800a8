"""The Excel template written: a bank's items one row each (`assess bank export --to xlsx`), or an
empty template with one example row per item type and instructions (`assess bank template`)."""

from __future__ import annotations

from collections.abc import Sequence

from assess.bank.documents import Bank
from assess.bank.formats.common import DIFFICULTY_TAG, write_tags
from assess.bank.formats.moodle_write import wildcard_answers, writable
from assess.bank.formats.spreadsheet import HEADERS, LETTERS, TYPE_NAMES
from assess.bank.model import ItemBase
from assess.i18n import N_, _, current_language
from assess.problems import Phrase, Problem
from assess.sheets.table import Sheet

_OWN_COLUMNS = ("kompetensi:", "tingkat:", "sumber:", "poin:")  # tags that have a column of their own


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def headers(n_letters: int, english: bool) -> tuple[str, ...]:
    def h(name: str) -> str:
        return HEADERS[name][1 if english else 0]

    letters = LETTERS[:n_letters]
    weight, pair = ("weight", "match") if english else ("bobot", "pasangan")
    return (
        h("id"), h("type"), h("stem"), *letters, h("key"), *(f"{weight} {x}" for x in letters),
        *(f"{pair} {x}" for x in letters), h("answer"), h("tolerance"), h("rubric"), h("explanation"),
        h("source"), h("competency"), h("difficulty"), h("topic"), h("points"), h("tags"),
    )  # fmt: skip


def _letters_needed(item: ItemBase) -> int:
    if item.type == "matching":
        return len(item.prompts) + len({c.id for c in item.choices} - set(item.key.values()))
    return len(getattr(item, "options", []))


def item_row(item: ItemBase, n_letters: int, english: bool, lost) -> tuple:
    """One row of the template for `item`; `lost(what)` hears what the template has no place for."""
    options, key, weights, pairs = [""] * n_letters, "", [None] * n_letters, [""] * n_letters
    answer: object = ""
    tolerance: object = ""
    rubric = ""
    letter_of = {o.id: LETTERS[n] for n, o in enumerate(getattr(item, "options", []))}
    for n, option in enumerate(getattr(item, "options", [])):
        options[n] = option.text
        if option.feedback:
            lost(N_("feedback per option"))
    if item.type == "single_choice":
        key = letter_of[item.key]
    elif item.type in ("multiple_response", "ordering"):
        key = ",".join(letter_of[k] for k in item.key)
    elif item.type == "true_false":
        key = ("True" if english else "Benar") if item.key else ("False" if english else "Salah")
    elif item.type == "weighted_options":
        weights[: len(item.options)] = [_number(o.points) for o in item.options]
    elif item.type == "matching":
        choice = {c.id: c.text for c in item.choices}
        for n, prompt in enumerate(item.prompts):
            options[n], pairs[n] = prompt.text, choice[item.key[prompt.id]]
        extra = [c.text for c in item.choices if c.id not in set(item.key.values())]
        pairs[len(item.prompts) : len(item.prompts) + len(extra)] = extra
    elif item.type == "short_answer":
        answer = _accepted(item, lost)
    elif item.type == "numeric":
        answer, tolerance = _numeric(item, lost)
    elif item.type == "essay":
        rubric = _rubric(item, lost)
    if item.translations:
        lost(N_("translations"))
    if item.lint_ignore:
        lost(N_("lint_ignore"))
    tags = [t for t in write_tags(item) if not t.startswith(_OWN_COLUMNS) and not t.startswith("skala:")]
    if any(";" in t or "\n" in t for t in tags):
        lost(N_("a tag with ';' or a new line"))
    points = (
        None if item.points is None or item.type in ("weighted_options", "essay") else _number(item.points)
    )
    type_name = item.type if english else TYPE_NAMES[item.type][0]
    return (
        item.id, type_name, item.stem, *options, key, *weights, *pairs, answer, tolerance, rubric,
        item.explanation or "", ", ".join(item.source), ", ".join(item.competencies),
        item.difficulty if english else DIFFICULTY_TAG[item.difficulty], item.topic or "", points,
        "; ".join(tags),
    )  # fmt: skip


def _accepted(item, lost) -> str:
    if item.case_sensitive:
        lost(N_("case sensitivity"))
    texts = []
    for text, credit in wildcard_answers(item, lost):
        if credit != 1 or ";" in text or "\n" in text:
            lost(N_("an answer with part credit, ';' or a new line"))
        else:
            texts.append(text)
    return "; ".join(texts)


def _numeric(item, lost) -> tuple[object, object]:
    if item.partial_tolerance is not None:
        lost(N_("the partial tolerance"))
    value = _number(item.value)
    answer = f"{value!r} {item.unit}" if item.unit else value
    if item.tolerance_mode == "relative":
        return answer, f"{item.tolerance * 100:.12g}%"
    return answer, _number(item.tolerance)


def _rubric(item, lost) -> str:
    if item.model_answer or item.min_words or item.max_words:
        lost(N_("the model answer and word limits"))
    lines = []
    for level in item.rubric:
        if any(c in level.label for c in ":=\n") or "\n" in (level.description or ""):
            lost(N_("a rubric level with ':', '=' or a new line in its label"))
        line = f"{_number(level.points)} = {level.label}"
        lines.append(line + (f": {level.description}" if level.description else ""))
    return "\n".join(lines)


def sheets(banks: Sequence[Bank], file: str, notes: list[Problem] | None = None) -> list[Sheet]:
    """The template's sheets holding every item of `banks` (what it cannot hold noted in `notes`)."""
    english = current_language() == "en"
    items = writable(banks, "Excel", file, notes if notes is not None else [])
    n_letters = min(len(LETTERS), max([5, *(_letters_needed(i) for i in items)]))
    rows = []
    for item in items:

        def lost(what: str, item: ItemBase = item) -> None:
            if notes is not None:
                notes.append(Problem("EXPORT-NOT-CARRIED", {"what": Phrase(what), "format": "Excel"}, file,
                                     item=item.id))  # fmt: skip

        rows.append(item_row(item, n_letters, english, lost))
    head = headers(n_letters, english)
    text_columns = {head.index(h) for h in head if h not in LETTERS[:n_letters]}
    return [
        Sheet(_("Questions"), head, rows, wrap=frozenset(text_columns)),
        instructions(n_letters),
    ]


def instructions(n_letters: int) -> Sheet:
    """What each column holds, in the language of messages."""
    english = current_language() == "en"
    lettered = {"options": "A..E", "weights": "weight A..E" if english else "bobot A..E",
                "pairs": "match A..E" if english else "pasangan A..E"}  # fmt: skip
    rows = [(lettered.get(name) or HEADERS[name][english], _(text)) for name, text in _INSTRUCTIONS]
    return Sheet(_("Instructions"), (_("Column"), _("What it holds")), rows, widths={0: 18, 1: 100},
                 wrap=frozenset({1}))  # fmt: skip


_INSTRUCTIONS = (
    ("id", N_("The question's id (letters, digits, '.', '_', '-'); empty: made from the file's name.")),
    ("type", N_("pilihan ganda, pilihan ganda kompleks, benar salah, menjodohkan, mengurutkan, "
                "isian singkat, "
                    "isian angka, pilihan berbobot or uraian (the English type names are accepted too).")),
    ("stem", N_("The question's text. **Bold** and *italic* as in Markdown; a new line with Alt+Enter.")),
    ("options", N_("The options. Matching: the prompts. Add columns F, G... for more.")),
    ("key", N_("Single choice: one letter (B). Multiple response: the letters (A,C). Ordering: every letter "
                   "in the right order (B,D,A,C). True/false: Benar or Salah.")),
    ("weights", N_("Weighted options: the points of each option (1-5).")),
    ("pairs", N_("Matching: what the prompt in the same letter matches. A match with no prompt is an "
                         "extra choice.")),
    ("answer", N_("Short answer: the accepted answers, separated by ';' (* stands for any characters). "
                      "Numeric: the number, then its unit if any (30 ha).")),
    ("tolerance", N_("Numeric: how far from the number an answer may be (0.5), or a percentage (5%).")),
    ("rubric", N_("Essay: one level per line, 'points = label: description' (4 = Sangat baik: ...).")),
    ("explanation", N_("Shown to participants after the test, with the key.")),
    ("source", N_("Ids in the sources registry, separated by commas.")),
    ("competency", N_("Competency ids of the framework (M.05), separated by commas.")),
    ("difficulty", N_("mudah, sedang or sulit.")),
    ("topic", N_("The question's topic.")),
    ("points", N_("The question's points when not 1.")),
    ("tags", N_("Other tags, separated by ';' (ranah:menerapkan, klaster:ID, ...).")),
)  # fmt: skip
