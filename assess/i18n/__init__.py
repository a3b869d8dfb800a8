"""One gettext catalogue for every message a person reads.

Indonesian is the default language, English the second. Source strings
(msgids) are written in English in the code; both languages have a
translation in `assess/locale/<lang>/LC_MESSAGES/assess.po`, so a test can
check that neither catalogue misses a message.
"""

from __future__ import annotations

import gettext as _gettext
import os
from contextvars import ContextVar
from functools import cache

from assess.resources import locale_dir

DOMAIN = "assess"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
ENV_LANGUAGE = "ASSESS_LANG"

# Per thread and task: the web server answers each request in its participant's language.
_current: ContextVar[str | None] = ContextVar("assess_language", default=None)


class UnknownLanguage(ValueError):
    """A language other than those the catalogue holds."""


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, str(locale_dir()), languages=[lang], fallback=True)


def check_language(lang: str) -> str:
    lang = lang.strip().lower()
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    return lang


def set_language(lang: str | None) -> None:
    """Use `lang` from now on; None goes back to ASSESS_LANG or the default."""
    _current.set(None if lang is None else check_language(lang))


def current_language() -> str:
    chosen = _current.get()
    if chosen is not None:
        return chosen
    env = os.environ.get(ENV_LANGUAGE, "").strip().lower()
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return catalogue(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it yet."""
    return message
