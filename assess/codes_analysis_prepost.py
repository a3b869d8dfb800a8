"""Problem codes and messages of analysis prepost (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
    # A pairs file (assess analyze prepost --pairs FILE)
    "PREPOST-COLUMN-MISSING": N_("the column {name!r} is missing; a pairs file has the columns {expected}"),
    "PREPOST-COLUMN-DUPLICATE": N_("the column {name!r} appears twice (also column {other})"),
    "PREPOST-ID-EMPTY": N_("the id is empty"),
    "PREPOST-ID-DUPLICATE": N_("the id {id!r} is also in row {other}"),
    "PREPOST-SCORE-NOT-NUMBER": N_("{value!r} in column {header!r} is not a number"),
    # An event's own results
    "PREPOST-PHASE-UNKNOWN": N_("{phase!r} is not a phase of this event; its phases are: {phases}"),
    "PREPOST-PHASES-SAME": N_(
        "the pre-test and the post-test are both phase {phase!r}; choose two phases with --pre and --post"
    ),
}
