"""One catalogue, complete in both languages, and every problem code has its message."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from assess.i18n import LANGUAGES, _, set_language
from assess.i18n import catalog as _catalog
from assess.problems.codes import MESSAGES

SOURCE = Path(_catalog.PACKAGE)


def test_catalogues_are_complete_and_compiled():
    assert _catalog.problems() == []


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    for message in _catalog.read(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for s in strings:
            assert _fields(s) <= wanted, (lang, message.id, s)
            assert "%(" not in s or re.findall(r"%\((\w+)\)", s) == re.findall(r"%\((\w+)\)", ids[0])


def test_every_code_used_in_the_code_has_a_message():
    used = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(
            re.findall(
                r'"((?:FILE|YAML|FIELD|BANK|FRAMEWORK|SOURCES|ARG|ITEM|EVENT|FORM|RESPONSE|WORKSPACE|STORE|PARTICIPANTS|LINT)-[A-Z0-9-]+)"',
                path.read_text(),
            )
        )
    assert used, "no codes found: the pattern is wrong"
    assert used - set(MESSAGES) == set()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_formats_in_both_languages(code):
    params = {name: "x" for name in _fields(MESSAGES[code])}
    texts = []
    for lang in LANGUAGES:
        set_language(lang)
        texts.append(_(MESSAGES[code]).format(**params))
    assert all(texts)
    assert texts[0] != texts[1], f"{code} reads the same in both languages"


def test_environment_sets_the_default_language(monkeypatch):
    assert _("True") == "Benar"
    monkeypatch.setenv("ASSESS_LANG", "en")
    assert _("True") == "True"
    set_language("id")
    assert _("True") == "Benar"
