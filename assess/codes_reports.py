"""Problem codes and messages of reports and paper (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_  # noqa: F401 - used as the area grows

MESSAGES: dict[str, str] = {}
