"""Problem codes and messages of responses (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
    # Any response import (Google Forms, answer sheets)
    "RESPONSES-NO-ROWS": N_("there are no responses under the header row"),
    "RESPONSES-PERSON-EMPTY": N_("the participant's {what} is empty"),
    "RESPONSES-PERSON-UNKNOWN": N_("{value!r} is not the {what} of any participant of this event"),
    "RESPONSES-PERSON-AMBIGUOUS": N_(
        "{value!r} belongs to several participants ({people}); match them by another column"
    ),
    "RESPONSES-ATTEMPT-EXISTS": N_("{person} already has an attempt on phase {phase!r}"),
    "RESPONSES-ANSWER-UNKNOWN": N_("{value!r} is not one of this item's options"),
    "RESPONSES-ANSWER-TRUE-FALSE": N_("{value!r} is not an answer to a true/false item: Benar or Salah"),
    "RESPONSES-ANSWER-POSITION": N_("{value!r} is not a position from 1 to {n}"),
    # Google Forms exports
    "RESPONSES-PERSON-COLUMN-MISSING": N_(
        "no column holds the participants' {what} (looked for: {expected}); "
        "set imports.google_forms in assessment.yaml, or use --match"
    ),
    "RESPONSES-GFORMS-ITEM-MISSING": N_(
        "no column matches this item's stem {stem!r}; name its column in a mapping file (--mapping)"
    ),
    "RESPONSES-GFORMS-ITEM-MISSING-SUGGEST": N_(
        "no column matches this item's stem {stem!r}; this column comes closest: "
        "if it is the item, name it in a mapping file (--mapping)"
    ),
    "RESPONSES-GFORMS-COLUMN-UNMATCHED": N_("this column matches no item of the form of phase {phase!r}"),
    "RESPONSES-GFORMS-COLUMN-AMBIGUOUS": N_(
        "this title matches several items ({ids}); name the item in a mapping file (--mapping)"
    ),
    "RESPONSES-GFORMS-COLUMN-DUPLICATE": N_("this column answers the same item as column {other}"),
    "RESPONSES-GFORMS-MATCHING-GRID": N_(
        "a matching item takes its answers from a grid, one column per prompt, titled 'Question [prompt]'"
    ),
    "RESPONSES-GFORMS-GRID-ROW-UNKNOWN": N_("[{row}] is not a prompt or option of this item"),
    "RESPONSES-GFORMS-PART-MISSING": N_("no column answers {part!r} of this item"),
    # Mapping files (column title -> item id)
    "RESPONSES-MAPPING-NOT-MAPPING": N_(
        "a mapping file maps column titles to item ids, one per line, such as 'Question title: item-id'"
    ),
    "RESPONSES-MAPPING-KEY": N_("a column is named by its title or its number, found {found}"),
    "RESPONSES-MAPPING-VALUE": N_(
        "expected an item id (or item-id/prompt-id), or nothing to ignore the column; found {found}"
    ),
    "RESPONSES-MAPPING-ITEM-UNKNOWN": N_("{id!r} is not an item of the form of phase {phase!r}"),
    "RESPONSES-MAPPING-PART-UNKNOWN": N_("{part!r} is not a prompt or option of item {id!r}"),
    # Answer sheets
    "RESPONSES-SHEET-HEADER-UNKNOWN": N_("unknown column {name!r}; the columns are: {expected}"),
    "RESPONSES-SHEET-QUESTION-RANGE": N_("there is no question {number}: the form has {n}"),
    "RESPONSES-SHEET-PERSON-COLUMN-MISSING": N_(
        "there is no participant column (Peserta, Participant or NIP)"
    ),
    "RESPONSES-SHEET-VARIANT-COLUMN-MISSING": N_(
        "the form has variants {variants}: add a Varian column saying which one each participant had"
    ),
    "RESPONSES-SHEET-QUESTIONS-MISSING": N_("there is no column for questions {numbers}"),
    "RESPONSES-SHEET-VARIANT-EMPTY": N_("the variant is empty; the form has variants {variants}"),
    "RESPONSES-SHEET-VARIANT-UNKNOWN": N_("{value!r} is not a variant of this form ({variants})"),
    "RESPONSES-SHEET-PERSON-DUPLICATE": N_("{person} is also in row {other}"),
    "RESPONSES-SHEET-ESSAY": N_(
        "question {number} of variant {variant} is an essay: essays are marked on paper; leave the cell empty"
    ),
    "RESPONSES-SHEET-TRUE-FALSE": N_(
        "{value!r} is not an answer to a true/false item: B or S (Benar or Salah)"
    ),
    "RESPONSES-SHEET-LETTER": N_("{value!r} is not an option letter (A to {last}) or an option id"),
    "RESPONSES-SHEET-LETTERS": N_("{value!r}: write option letters (A to {last}), such as AC or A,C"),
    "RESPONSES-SHEET-MATCHING": N_(
        "{value!r}: write prompt numbers with choice letters, such as 1C 2A 3B, or letters in prompt order"
    ),
    "RESPONSES-SHEET-PROMPT": N_("prompt {number} is not one of 1 to {n}, or is answered twice"),
}
