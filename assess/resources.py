"""Where the shipped data lives: in the installed wheel or in a source checkout.

The wheel carries `question_banks/`, `templates/` and `examples/` under
`assess/_data/`; a source checkout (and an editable install) has them at the
top of the repository. Everything that needs shipped data asks here.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """The folder of shipped data called `name` (e.g. "question_banks")."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def locale_dir() -> Path:
    return _PACKAGE / "i18n" / "locale"
