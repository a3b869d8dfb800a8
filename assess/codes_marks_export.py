"""Problem codes and messages of essay marks and exports (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
    # Essay marks: the file a marker fills in
    "MARKS-NO-ESSAYS": N_("phase {phase!r} has no essay items: there is nothing to mark by hand"),
    "MARKS-NO-ROWS": N_("there are no essays under the header row"),
    "MARKS-COLUMN-MISSING": N_("there is no {name!r} column; the file needs: {expected}"),
    "MARKS-HEADER-DUPLICATE": N_("this column means the same as column {other} ({first!r})"),
    "MARKS-CELL-EMPTY": N_("empty, but the row gives a level: say which {name} it is for"),
    "MARKS-PHASE-UNKNOWN": N_("{value!r} is not a phase with a form; the phases: {known}"),
    "MARKS-PARTICIPANT-UNKNOWN": N_("{value!r} is not a participant of this event"),
    "MARKS-NO-ATTEMPT": N_("participant {person} has no finished attempt on phase {phase!r}"),
    "MARKS-ITEM-UNKNOWN": N_("{value!r} is not an item of phase {phase!r}"),
    "MARKS-ITEM-NOT-ESSAY": N_("item {value!r} is not an essay: only essays are marked by hand"),
    "MARKS-LEVEL-UNKNOWN": N_("{value!r} is not a level of this item's rubric; the levels: {levels}"),
    "MARKS-LEVEL-AMBIGUOUS": N_("{value!r} fits several levels ({levels}); write the level's id"),
    "MARKS-ANSWER-BLANK": N_("the answer is blank, so there is nothing to mark: leave the level empty"),
    "MARKS-ROW-DUPLICATE": N_("this essay is also in row {other}"),
    # Exports
    "EXPORT-OUT-SUFFIX": N_("{suffix!r} files cannot be written; name the file .csv or .xlsx"),
    "EXPORT-FORMAT-MISMATCH": N_("the format {format} writes {expected} files, not {suffix!r}"),
    "EXPORT-CANNOT-WRITE": N_("cannot write the file: {reason} (is it open in another program?)"),
    "EXPORT-SECRET-DAMAGED": N_(
        "the key file is damaged; delete it and a new key is made, but pseudonyms made before will change"
    ),
}
