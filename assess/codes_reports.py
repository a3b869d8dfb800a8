"""Problem codes and messages of reports and paper (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_  # noqa: F401 - used as the area grows

MESSAGES: dict[str, str] = {
    "PAPER-VARIANT-UNKNOWN": N_("the form has no variant {variant!r}; its variants: {variants}"),
    "REPORTS-OUT-NOT-EMPTY": N_(
        "the folder exists and holds other files than reports; give an empty or new folder with --out"
    ),
    "REPORTS-CANNOT-WRITE": N_("cannot write the reports: {reason}"),
}
