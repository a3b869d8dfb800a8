"""Problem codes and messages of analysis items (merged into assess.codes.MESSAGES).

Two kinds: problems of the input (a marks file, --max-marks, a phase without
results), which end in exit 2; and flags, findings about items and
distractors, which `assess analyze items` reports with exit 0.
"""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
    # Input: the marks file and the options
    "ANALYZE-MATRIX-FORMAT": N_("{suffix!r} files cannot be read; save the marks as CSV UTF-8 or as .xlsx"),
    "ANALYZE-MATRIX-CSV-SYNTAX": N_("the CSV cannot be read: {reason}"),
    "ANALYZE-MATRIX-NO-HEADER": N_(
        "the first row must name the items: an optional first column id, then one column per item"
    ),
    "ANALYZE-MATRIX-NO-ITEMS": N_("the header row names no item columns"),
    "ANALYZE-MATRIX-HEADER-EMPTY": N_("this column has no item name in the header row"),
    "ANALYZE-MATRIX-HEADER-DUPLICATE": N_("this item name is also the header of column {other}"),
    "ANALYZE-MATRIX-NO-ROWS": N_("there are no rows of marks under the header row"),
    "ANALYZE-MATRIX-ROW-LENGTH": N_("the row has {n} cells; the header row has {expected}"),
    "ANALYZE-MATRIX-ID-DUPLICATE": N_("id {id!r} is also in row {other}"),
    "ANALYZE-MATRIX-CELL-EMPTY": N_("the mark is empty; write 0 for an item not answered"),
    "ANALYZE-MATRIX-NOT-NUMBER": N_("{value!r} is not a number"),
    "ANALYZE-MATRIX-MARK-RANGE": N_(
        "the mark {value} is outside -{max} to {max}, this item's range; "
        "give the items' maxima with --max-marks"
    ),
    "ANALYZE-MATRIX-MORE-PROBLEMS": N_("and {n} more problems of these kinds"),
    "ANALYZE-MAX-MARKS-INVALID": N_("--max-marks: {value!r} is not a positive number"),
    "ANALYZE-MAX-MARKS-COUNT": N_(
        "--max-marks gives {n} maxima for {k} items: give one for every item, or one per item"
    ),
    "ANALYZE-NO-RESULTS": N_("phase {phase!r} has no scored results to analyse: run assess score first"),
    "ANALYZE-SOURCE-MISSING": N_(
        "give a marks file with --matrix, or a phase with --phase inside an event's folder"
    ),
    "ANALYZE-SOURCE-BOTH": N_("give either --matrix or --phase, not both"),
    # Flags: findings about items (exit 0)
    "ANALYZE-ITEM-TOO-EASY": N_("too easy: facility {facility} is above {limit}"),
    "ANALYZE-ITEM-TOO-HARD": N_("too hard: facility {facility} is below {limit}"),
    "ANALYZE-ITEM-NO-VARIANCE": N_("everyone has the same mark: the item tells nobody apart"),
    "ANALYZE-ITEM-NEGATIVE-DISCRIMINATION": N_(
        "negative discrimination (item-rest r {r}): those who did worse on the rest of the test "
        "did better on this item; check the key"
    ),
    "ANALYZE-ITEM-LOW-DISCRIMINATION": N_("low discrimination: item-rest r {r} is below {limit}"),
    "ANALYZE-DISTRACTOR-UNCHOSEN": N_("nobody chose option {option!r}"),
    "ANALYZE-DISTRACTOR-RARE": N_(
        "option {option!r} was chosen by a proportion of only {proportion} (below {limit})"
    ),
    "ANALYZE-DISTRACTOR-UPPER": N_(
        "option {option!r} was chosen more by the upper group ({upper}) than by the lower group ({lower})"
    ),
}
