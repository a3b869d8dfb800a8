"""Every user-facing problem code and its message, in one place.

Codes are stable: tests, docs and users' scripts rely on them. Messages are
English msgids, translated through the catalogue when shown; their `{names}`
are filled from the problem's parameters.
"""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
    # Arguments and files
    "ARG-NOT-FOUND": N_("no such file, folder or shipped bank: {name!r}"),
    "ARG-NO-FILES": N_("no YAML files (*.yaml, *.yml) in this folder"),
    "FILE-UNREADABLE": N_("cannot read the file: {reason}"),
    "FILE-NOT-UTF8": N_("the file is not UTF-8 text; save it as UTF-8"),
    "FILE-EMPTY": N_("the file is empty"),
    "FILE-CONTROL-CHARACTER": N_("the control character {code} is not allowed in YAML; delete it"),
    "FILE-NOT-REGULAR": N_("not a regular file"),
    "FILE-NOT-FOUND": N_("no such file"),
    "FILE-TOO-LARGE": N_("the file is larger than {limit} MB"),
    "FILE-MULTIPLE-DOCUMENTS": N_("the file holds several YAML documents (---); use one per file"),
    "FILE-NOT-MAPPING": N_(
        "the top level must be a mapping with `kind: bank`, `kind: framework`, `kind: sources` or "
        "`kind: positions`"
    ),
    "FILE-KIND-MISSING": N_(
        "the file does not say what it is: add `kind: bank`, `kind: framework`, `kind: sources` or "
        "`kind: positions`"
    ),
    "FILE-KIND-UNKNOWN": N_("kind {value!r} is not one of: bank, framework, sources, positions"),
    # YAML syntax
    "YAML-SYNTAX": N_("YAML syntax error: {reason}"),
    "YAML-TAB": N_("a tab character in the indentation; indent with spaces"),
    "YAML-DUPLICATE-KEY": N_("key {key!r} appears twice in this mapping (first at line {first})"),
    "YAML-MERGE-KEY": N_("merge keys (<<) are not part of YAML 1.2; write the fields out in full"),
    "YAML-ALIAS-LIMIT": N_("aliases expand too far (more than the allowed limit)"),
    # Fields of any file
    "FIELD-MISSING": N_("required field {name!r} is missing"),
    "FIELD-UNKNOWN": N_("unknown field {name!r}"),
    "FIELD-UNKNOWN-SUGGEST": N_("unknown field {name!r}; did you mean {suggestion!r}?"),
    "FIELD-TYPE": N_("expected {expected}, found {found}"),
    "FIELD-CHOICE": N_("{value!r} is not one of: {expected}"),
    "FIELD-ID-INVALID": N_(
        "{value!r} is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)"
    ),
    "FIELD-LANGUAGE-INVALID": N_("{value!r} is not a language code (two or three small letters, such as en)"),
    "FIELD-EMPTY": N_("must not be empty"),
    "FIELD-CONTROL-CHARACTER": N_("the control character {code} is not allowed in text"),
    "FIELD-TOO-LONG": N_("longer than {max} characters"),
    "FIELD-KEY-NOT-TEXT": N_("a field name must be text, found {found}"),
    "FIELD-TOO-FEW": N_("too few entries: at least {min} needed"),
    "FIELD-RANGE": N_("must be {op} {limit}"),
    "FIELD-NOT-FINITE": N_("must be a finite number"),
    "FIELD-INVALID": N_("invalid value: {detail}"),
    # Items
    "BANK-ITEM-TYPE-MISSING": N_("the item has no `type`; one of: {expected}"),
    "BANK-ITEM-TYPE-UNKNOWN": N_("type {value!r} is not an item type; one of: {expected}"),
    "BANK-ITEM-TYPE-UNKNOWN-SUGGEST": N_("type {value!r} is not an item type; did you mean {suggestion!r}?"),
    "BANK-DUPLICATE-ID": N_("item id {id!r} is also used at {other}"),
    "BANK-DUPLICATE-BANK-ID": N_("bank id {id!r} is also used by {other}"),
    "BANK-DUPLICATE-STEM": N_(
        "a ready item with the same stem is {other} ({at}); two items must not ask the same"
    ),
    "BANK-OPTIONS-TOO-FEW": N_("{name} needs at least two entries, has {n}"),
    "BANK-OPTION-DUPLICATE": N_("id {id!r} is used twice"),
    "BANK-OPTIONS-TOO-MANY": N_("{n} options: a multiple-response item takes at most {max}"),
    "BANK-OPTION-TEXT-DUPLICATE": N_("text {text!r} appears twice"),
    "BANK-KEY-UNKNOWN": N_("{key!r} is not one of the ids in {name}"),
    "BANK-KEY-DUPLICATE": N_("{key!r} appears twice in the key"),
    "BANK-MATCHING-INCOMPLETE": N_("these prompts have no match in the key: {ids}"),
    "BANK-ORDER-INCOMPLETE": N_("the order must list every option; missing: {ids}"),
    "BANK-ACCEPTED-TEXT-OR-REGEX": N_("give either `text` or `regex`, not both or neither"),
    "BANK-REGEX-INVALID": N_("not a valid regular expression: {reason}"),
    "BANK-TOLERANCE-NEGATIVE": N_("tolerance must not be negative (found {value})"),
    "BANK-PARTIAL-TOLERANCE-NARROW": N_(
        "partial_tolerance ({value}) must be wider than tolerance ({tolerance})"
    ),
    "BANK-WEIGHT-NONE-POSITIVE": N_("no option or level earns points"),
    "BANK-WEIGHT-NEGATIVE": N_("points must not be negative (found {value})"),
    "BANK-POINTS-MISMATCH": N_(
        "points ({given}) differs from the highest option or level ({derived}); leave it out"
    ),
    "BANK-RUBRIC-TOO-FEW": N_("a rubric needs at least two levels, has {n}"),
    "BANK-WORDS-RANGE": N_("min_words ({lo}) is more than max_words ({hi})"),
    "BANK-TRANSLATION-UNKNOWN-OPTION": N_("{id!r} is not one of the ids in the item's {name}"),
    "BANK-FRAMEWORK-UNKNOWN": N_("competency framework {id!r} is not loaded or shipped"),
    "BANK-COMPETENCY-UNKNOWN": N_("competency {id!r} is not in framework {framework!r}"),
    "BANK-SOURCE-UNKNOWN": N_("source {id!r} is not in any sources registry"),
    # Frameworks and sources
    "FRAMEWORK-DUPLICATE-ID": N_("competency id {id!r} is used twice"),
    "FRAMEWORK-DUPLICATE-FRAMEWORK-ID": N_("framework id {id!r} is also used by {other}"),
    # Positions files (kind: positions)
    "POSITIONS-DUPLICATE-ID": N_("position id {id!r} is used twice in this file"),
    "POSITIONS-FRAMEWORK-UNKNOWN": N_("no framework {id!r} is loaded; known: {known}"),
    "POSITIONS-COMPETENCY-UNKNOWN": N_("competency {id!r} is not in framework {framework!r}"),
    "POSITIONS-SOURCE-UNKNOWN": N_("source {id!r} is not in any sources registry loaded"),
    "FRAMEWORK-LEVEL-DUPLICATE": N_("level {level} is described twice"),
    "FRAMEWORK-QUOTE-UNSOURCED": N_("a quoted descriptor must name its `source`"),
    "FRAMEWORK-SOURCE-UNKNOWN": N_("source {id!r} is not in any sources registry"),
    "SOURCES-DUPLICATE-ID": N_("source id {id!r} is used twice"),
    "SOURCES-DUPLICATE-ELSEWHERE": N_("source id {id!r} is also defined at {other}"),
    "SOURCES-NO-CONTENT": N_("a source needs its `quote` (the wording) or a `summary`"),
    # Item-writing lint (warnings: exit 1)
    "LINT-ALL-NONE-OF-THE-ABOVE": N_(
        "{text!r} is an 'all/none of the above' option; write a real alternative instead"
    ),
    "LINT-KEY-LONGEST": N_("the key is clearly the longest option; make the options similar in length"),
    "LINT-OPTION-LONGEST": N_(
        "option {id!r} is {times} times the mean length of the others: length gives it away; make the "
        "options similar in length"
    ),
    "LINT-TRUE-FALSE-ABSOLUTE": N_(
        "the statement hinges on {word!r}: an absolute gives a true/false item away; state the point "
        "without it, or ask it as a choice"
    ),
    "LINT-KEY-POSITION": N_(
        "the key is option {position} in {count} of {n} single-choice items ({share}); spread key positions"
    ),
    "LINT-NEGATIVE-STEM": N_("a negative question with {word!r} in small letters; write it as {upper!r}"),
    "LINT-KEY-ECHOES-STEM": N_(
        "only the key repeats words of the stem ({words}); that gives the answer away"
    ),
    "LINT-OPTION-RESTATES-STEM": N_("option {id!r} only repeats words of the stem"),
    "LINT-NEAR-DUPLICATE": N_("the stem is nearly the same as item {other!r} ({similarity} alike)"),
    "LINT-NO-EXPLANATION": N_("no explanation: say why the key is right"),
    "LINT-NO-SOURCE": N_("no source: cite what makes the key true"),
    "LINT-LAW-UNQUOTED": N_(
        "a ready item that names a law must cite a sources entry of kind law that quotes the article"
    ),
    "LINT-IGNORE-UNKNOWN-CODE": N_("{code!r} is not a lint code"),
    "LINT-ORDERING-TOO-SHORT": N_(
        "an ordering item with two options is always shown reversed, which gives the answer away; "
        "use three or more"
    ),
    # The event (assessment.yaml) and its forms
    "EVENT-PHASE-ITEMS": N_(
        "a phase takes its items from exactly one of blueprint, same_items or parallel_to (given: {given})"
    ),
    "EVENT-ANCHORS-WITHOUT-PARALLEL": N_("anchors are items shared with the phase named in parallel_to"),
    "EVENT-PHASE-DUPLICATE": N_("phase id {id!r} is used twice"),
    "EVENT-PHASE-REFERENCE": N_("{id!r} is not an earlier phase"),
    "EVENT-BANK-NOT-FOUND": N_("no bank file or shipped bank {name!r}"),
    "EVENT-COPIES-INVALID": N_(
        "the list of the files restored from a backup cannot be read ({reason}): restore the backup "
        "again into an empty folder"
    ),
    "EVENT-BANK-UNKNOWN": N_("bank {id!r} is not one of the event's banks"),
    "EVENT-COMPETENCY-UNKNOWN": N_("competency {id!r} is not in the banks' framework"),
    "EVENT-COMPETENCY-FEW-ITEMS": N_(
        "warning: phase {phase}, competency {competency}: {n} of the form's items carry it; the reports "
        'score a competency only from {min} items (reporting.min_items_per_competency) and say "too few '
        'items" here. Add cells for it, or list the competencies to report in reporting.competencies'
    ),
    "EVENT-BANDS-NO-ZERO": N_("the lowest band must start at 0"),
    "EVENT-BANDS-DUPLICATE": N_("two bands start at the same percentage"),
    "EVENT-LEVELS-ORDER": N_("level thresholds must start at 0 and rise"),
    "EVENT-PENALTY": N_("a share from 0 to 1, or auto"),
    "EVENT-TIME-ZONE": N_("{name!r} is not a known time zone (such as Asia/Jakarta)"),
    "FIELD-DATE": N_("expected a date such as 2019-10-30"),
    "FORM-SHORTFALL": N_(
        "phase {phase}: competency {competency}, {difficulty}: needs {need}, the banks have {have}"
    ),
    # Responses (from a participant, a sheet or an import)
    "RESPONSE-UNKNOWN-ID": N_("{value!r} is not one of the ids in the item's {where}"),
    "RESPONSE-TYPE": N_("the answer should be {expected}"),
    "RESPONSE-NOT-A-NUMBER": N_("{value!r} is not a number"),
    "RESPONSE-ORDER-INCOMPLETE": N_("an order must place every option exactly once"),
    # The workspace and its store
    "WORKSPACE-NOT-FOUND": N_(
        "no assessment.yaml in {start} or any folder above it; "
        "give -w DIR, or create one with assess init DIR"
    ),
    "WORKSPACE-NO-EVENT": N_("this workspace has no assessment.yaml"),
    "WORKSPACE-IS-HR": N_(
        "this folder is an HR workspace (hr.yaml), not an event's: event commands need the folder with "
        "assessment.yaml; HR commands are assess hr ..."
    ),
    "WORKSPACE-NOT-EMPTY": N_("the folder exists and is not empty"),
    "WORKSPACE-NO-PHASE": N_("there is no phase {phase!r}; the event's phases: {known}"),
    "WORKSPACE-FORM-FIRST": N_(
        "build the form of phase {other!r} first: phase {phase!r} takes its items from it"
    ),
    "WORKSPACE-NO-FORM": N_("phase {phase!r} has no form yet: assess form build --phase {phase}"),
    # Adjustments after the test (assess form adjust)
    "ADJUST-ITEM-UNKNOWN": N_("item {item!r} is not in the form of phase {phase!r}"),
    "ADJUST-REASON-EMPTY": N_("say why with --reason: the reports and the audit log show it"),
    "ADJUST-REASON-LONG": N_("the reason has {n} characters; at most {max} fit"),
    "ADJUST-POINTS-RANGE": N_("--points must be more than 0 and at most {max}"),
    "ADJUST-UNDO-UNKNOWN": N_(
        "phase {phase!r} has no adjustment number {n}: assess form adjust --phase {phase} lists them"
    ),
    "ADJUST-ACCEPT-TYPE": N_(
        "item {item!r} is a {type} item: it takes --drop, --full-credit or --points, not --accept"
    ),
    "ADJUST-ACCEPT-EMPTY": N_("give the answers to accept for item {item!r}"),
    "ADJUST-ACCEPT-OPTION": N_("{answer!r} is not an option of item {item!r} (its options: {options})"),
    "ADJUST-ACCEPT-IS-KEY": N_("item {item!r} already takes that answer as its key"),
    "ADJUST-ACCEPT-BOOLEAN": N_("{answer!r} is neither true nor false (benar/salah) for item {item!r}"),
    "ADJUST-ACCEPT-NUMBER": N_("{answer!r} is not a number for item {item!r}"),
    "WORKSPACE-NO-PARTICIPANTS": N_("the event has no participants yet: assess participants import FILE"),
    "WORKSPACE-DEMO-DATABASE-USED": N_(
        "the database already holds event {event!r} with participants; give the demo a fresh database"
    ),
    "DB-URL-INVALID": N_(
        "not a database address assess can use; write sqlite:///FILE.db or "
        "postgresql://USER:PASSWORD@HOST/DATABASE"
    ),
    "STORE-FORM-IN-USE": N_(
        "phase {phase!r} already has {attempts} attempts: its form can no longer be rebuilt"
    ),
    "STORE-ATTEMPT-EXISTS": N_("these participants already have an attempt on phase {phase!r}: {people}"),
    "STORE-NO-FORM": N_("phase {phase!r} has no form yet"),
    "STORE-PHASE-NOT-OPEN": N_("phase {phase!r} is not open"),
    "STORE-ATTEMPT-CLOSED": N_("the attempt is finished ({status}) and takes no more answers"),
    "STORE-NO-ATTEMPT": N_("no attempt {attempt}"),
    "STORE-NO-PARTICIPANT": N_("no participant {person} in this event"),
    "STORE-PARTICIPANT-HAS-ATTEMPTS": N_(
        "{person} has {n} attempt(s): a participant who took a test stays in the event with their answers "
        "and results; --with-attempts keeps them in the database but out of every summary"
    ),
    "STORE-ATTEMPT-OPEN": N_(
        "attempt {attempt} is still in progress: only a finished attempt can be reopened"
    ),
    "STORE-NO-ITEM": N_("the test has no question {number}"),
    "STORE-SEQ-RANGE": N_("the save's sequence number {seq} is not from 1 to {limit}"),
    # The trainer's desk: phases
    "DESK-ESSAY-UNKNOWN": N_(
        "that essay is not one of phase {phase!r} to mark (the attempt is not finished, or not the latest)"
    ),
    "DESK-ESSAY-LEVEL": N_("{level!r} is not a level of this essay's rubric ({levels})"),
    "DESK-PHASE-CLOSED": N_(
        "phase {phase!r} is closed; to let participants in again: assess phase reopen --phase {phase}"
    ),
    "DESK-PHASE-NOT-CLOSED": N_(
        "phase {phase!r} is not closed: only a closed phase is reopened "
        "(assess phase open --phase {phase} opens one)"
    ),
    # The web app
    "WEB-PASSWORD-SHORT": N_("the trainer's password must have at least {n} characters"),
    "WEB-BASE-URL-INVALID": N_(
        "{value!r} is not a base address: give http:// or https://, the laptop's address and the port, "
        "without a path (/join is added), e.g. http://192.168.1.10:8000"
    ),
    # Participants files (CSV or XLSX)
    "PARTICIPANTS-FORMAT-UNKNOWN": N_(
        "{suffix!r} files cannot be imported; save the list as .xlsx, or as CSV UTF-8"
    ),
    "PARTICIPANTS-CSV-NOT-UTF8": N_(
        'the file is not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)", or import the .xlsx'
    ),
    "PARTICIPANTS-CSV-SYNTAX": N_("the CSV cannot be read: {reason}"),
    "PARTICIPANTS-XLSX-UNREADABLE": N_("the spreadsheet cannot be read: {reason}"),
    "PARTICIPANTS-HEADER-UNKNOWN": N_("unknown column {name!r}; the columns are: {expected}"),
    "PARTICIPANTS-HEADER-UNKNOWN-SUGGEST": N_("unknown column {name!r}; did you mean {suggestion!r}?"),
    "PARTICIPANTS-HEADER-DUPLICATE": N_("this column means the same as column {other} ({first!r})"),
    "PARTICIPANTS-HEADER-MISSING": N_(
        "column {number} holds values but has no header; name it or delete its values"
    ),
    "PARTICIPANTS-NAME-COLUMN-MISSING": N_("there is no name column (Nama or Name)"),
    "PARTICIPANTS-NO-ROWS": N_("there are no participants under the header row"),
    "PARTICIPANTS-ROW-TOO-LONG": N_(
        "this row has values in {n} columns but the header has {width}; "
        "a value with {separator!r} in it must be put in double quotes"
    ),
    "PARTICIPANTS-ROW-DUPLICATE": N_("this row repeats row {other}"),
    "PARTICIPANTS-NAME-EMPTY": N_("the name is empty"),
    "PARTICIPANTS-FORMULA": N_(
        "{value!r} starts with {sign!r}, so a spreadsheet would run it as a formula; remove the sign"
    ),
    "PARTICIPANTS-CONTROL-CHARACTER": N_("the control character {code} is not allowed here"),
    "PARTICIPANTS-NIP-BIRTH": N_(
        "warning: the NIP's first 8 digits, {part}, are no date of birth (YYYYMMDD); imported, check it"
    ),
    "PARTICIPANTS-NIP-APPOINTMENT": N_(
        "warning: the NIP's digits 9-14, {part}, are no year and month of appointment (YYYYMM, at least "
        "{adult} years after birth; a NI PPPK has the contract's number plus 20 for the month); "
        "imported, check it"
    ),
    "PARTICIPANTS-NIP-SEX": N_(
        "warning: the NIP's digit 15, {part}, is neither 1 nor 2 (sex); imported, check it"
    ),
    "PARTICIPANTS-NIP-INVALID": N_("{value!r} is not a NIP: a NIP has exactly 18 digits (found {n})"),
    "PARTICIPANTS-NIP-NUMBER": N_(
        "the NIP is stored as a number ({value}); a spreadsheet keeps only 15 significant digits, "
        "so an 18-digit NIP loses its last digits: format the NIP column as text "
        "(the template already is) and type the NIPs again"
    ),
    "PARTICIPANTS-NIP-SCIENTIFIC": N_(
        "{value!r} is a NIP that a spreadsheet turned into a number, keeping only 15 significant digits: "
        "format the NIP column as text, type the NIPs again and save again"
    ),
    "PARTICIPANTS-NIP-DUPLICATE": N_("NIP {nip} is also in row {other}"),
    "PARTICIPANTS-PERSON-EXISTS": N_("{name!r}, without a NIP, is already a participant of this event"),
    "PARTICIPANTS-NIP-EXISTS": N_("NIP {nip} is already a participant of this event"),
    "PARTICIPANTS-ID-NEEDS-UPDATE": N_(
        "an ID column names participants already in the event: to correct them, import with --update"
    ),
    "PARTICIPANTS-ID-UNKNOWN": N_("{id!r} is not the ID of a participant of this event"),
    "PARTICIPANTS-ROW-AMBIGUOUS": N_(
        "{name!r} is already a participant, and this row has neither NIP nor ID to tell whether it is "
        "the same person: add the NIP or the ID (assess participants list shows them)"
    ),
    "PARTICIPANTS-ROW-SAME-PERSON": N_("{person} was matched by an earlier row of the file already"),
    "PARTICIPANTS-EMAIL-INVALID": N_("{value!r} is not an email address"),
    # Command line
    "ITEM-NOT-FOUND": N_("no item {id!r} in the banks searched"),
    # -- Responses: imports from Google Forms and paper answer sheets
    # Any response import (Google Forms, answer sheets)
    "RESPONSES-NO-ROWS": N_("there are no responses under the header row"),
    "RESPONSES-PERSON-EMPTY": N_("the participant's {what} is empty"),
    "RESPONSES-PERSON-UNKNOWN": N_(
        "{value!r} is not the {what} of any participant of this event "
        "(--skip-unknown imports the other rows and lists these in a file)"
    ),
    "RESPONSES-PERSON-AMBIGUOUS": N_(
        "{value!r} belongs to several participants ({people}); match them by another column"
    ),
    "RESPONSES-ATTEMPT-EXISTS": N_(
        "{person} already has an attempt on phase {phase!r} (--new-only skips what was imported before)"
    ),
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
    # -- Essay marks and exports
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
    # Questions in and out of other formats (assess bank import / export)
    "IMPORT-FORMAT-UNKNOWN": N_("cannot tell the file's format; name it with --from ({formats})"),
    "IMPORT-NOT-TEXT": N_("the file is neither UTF-8 nor Windows-1252 text"),
    "IMPORT-ENCODING-CP1252": N_(
        "the file is not UTF-8; it was read as Windows-1252 (check the accented letters, then save it as "
        "UTF-8)"
    ),
    "IMPORT-XML-SYNTAX": N_("the XML is not well formed: {reason}"),
    # Scanned answer sheets (assess responses scan)
    "SCAN-NOT-AN-IMAGE": N_(
        "not a picture this command reads (JPEG, PNG, HEIC, TIFF, BMP, WebP, or a PDF), or a damaged one"
    ),
    "SCAN-NO-MARKERS": N_(
        "the four black corner squares were not found ({markers} seen): not an answer sheet, an empty page, "
        "or a corner outside the picture"
    ),
    "SCAN-NO-QR": N_(
        "the corner squares were found but not a readable QR code: photograph the sheet again, closer, "
        "sharper and without glare"
    ),
    "SCAN-MISALIGNED": N_(
        "the corners and the QR code were found but the bubbles are not where the sheet prints them (a "
        "fold, a crease or a curled page): flatten the sheet and photograph it again"
    ),
    "SCAN-NOT-A-SHEET": N_("the QR code is not that of an answer sheet printed by assess form print"),
    "SCAN-OTHER-EVENT": N_("a sheet of another event"),
    "SCAN-OTHER-PHASE": N_("a sheet of phase {printed}, not {phase}"),
    "SCAN-FORM-CHANGED": N_(
        "printed from form {printed}, but the phase's form is now {stored}: print the sheets again"
    ),
    "SCAN-DUPLICATE": N_("{person} has another sheet ({other}); this one was left out"),
    "SCAN-ATTEMPT-EXISTS": N_("{person} already has an attempt on this phase; the sheet was left out"),
    "SCAN-REVIEW-COLUMNS": N_("columns missing: {columns} (use koreksi.csv as scan wrote it)"),
    "SCAN-REVIEW-UNKNOWN": N_(
        "no question waiting in the review has this sheet and number: keep the rows of koreksi.csv as written"
    ),
    "SCAN-REVIEW-PERSON": N_("{value} is no participant's id or NIP"),
    "SCAN-REVIEW-LEVEL": N_("{value} is not a level of this essay: write the points of one ({levels}) or -"),
    "SCAN-REVIEW-NOTHING": N_("nothing has been scanned for phase {phase}: run assess responses scan first"),
    "IMPORT-XML-ENTITIES": N_(
        "the XML declares entities or refers to outside files (<!ENTITY>); they are refused for safety: "
        "export the file again without them"
    ),
    "IMPORT-NOT-ZIP": N_("not a valid {kind} file (not a readable zip file): {reason}"),
    "IMPORT-ZIP-TOO-LARGE": N_("the file unpacks to more than {limit} MB or into too many parts; refused"),
    "IMPORT-ENCRYPTED": N_("the file is protected with a password; save a copy without one and import that"),
    "IMPORT-MOODLE-NOT-QUIZ": N_("not a Moodle XML question file: its top element is <{found}>, not <quiz>"),
    "IMPORT-QTI-NO-MANIFEST": N_("a QTI content package needs an imsmanifest.xml; this zip has none"),
    "IMPORT-QTI-MISSING": N_("the manifest names {href!r}, which is not in the package; not imported"),
    "IMPORT-QTI-NOT-ITEM": N_("not a QTI assessmentItem: its top element is <{found}>"),
    "IMPORT-NOTHING": N_("no questions found in the file"),
    "IMPORT-OUT-EXISTS": N_("the file exists; give --force to replace it"),
    "IMPORT-CANNOT-WRITE": N_("cannot write the bank: {reason}"),
    "IMPORT-TYPE-UNSUPPORTED": N_("a {type!r} question has no counterpart in the bank; not imported"),
    "IMPORT-DESCRIPTION": N_("a description (text without a question); not imported"),
    "IMPORT-NO-STEM": N_("the question has no text; not imported"),
    "IMPORT-NO-KEY": N_("the question has no right answer; not imported"),
    "IMPORT-NO-COMPETENCY": N_(
        "no competency: tag the question kompetensi:ID or give --competency; not imported"
    ),
    "IMPORT-COMPETENCY-UNKNOWN": N_("competency {id!r} is not in the framework; not imported"),
    "IMPORT-INVALID": N_("the question does not make a valid item: {reason}; not imported"),
    "IMPORT-GIFT-ANSWERS": N_("cannot read the answers {text!r}; not imported"),
    "IMPORT-AIKEN-NO-ANSWER": N_("the question {text!r} has no ANSWER: line; not imported"),
    "IMPORT-AIKEN-OPTIONS": N_(
        "the question needs its text and at least two options, lettered in order (A. ..., B. ...)"
    ),
    "IMPORT-AIKEN-ANSWER-UNKNOWN": N_("ANSWER: {answer} is not one of the options ({letters}); not imported"),
    "IMPORT-SHEET-HEADERS": N_(
        "the sheet has no column {missing} in its first row; start from assess bank template"
    ),
    "IMPORT-UNREADABLE": N_("the {kind} file cannot be read: {reason}"),
    "IMPORT-SHEET-TOO-LARGE": N_("more than {max} rows; split the questions over several files"),
    "IMPORT-QTI-REPEATED": N_("the manifest names {href!r} more than once; read once"),
    "IMPORT-WORD-TABLES": N_("{n} tables in the document are not read; put questions in paragraphs"),
    "EXPORT-NO-ANSWER": N_("{format} can hold none of the item's accepted answers; the item is not written"),
    "IMPORT-SHEET-TYPE": N_("{value!r} is not a question type; one of: {expected}"),
    "IMPORT-SHEET-KEY": N_("the key {value!r} does not name the options ({letters}); not imported"),
    "IMPORT-SHEET-NUMBER": N_("{value!r} is not a number; not imported"),
    "IMPORT-SHEET-PAIR": N_(
        "the prompt in column {letter} has no match in its pasangan column; not imported"
    ),
    "IMPORT-SHEET-RUBRIC": N_(
        "the rubric line {line!r} is not 'points = label: description' (two levels at least); not imported"
    ),
    "IMPORT-WORD-KEY": N_(
        "the key {value!r} (Kunci:) does not name the question's options ({letters}); not imported"
    ),
    "IMPORT-IMAGE": N_(
        "the image {name!r} ({where}) is not carried over (a bank has no images); the item stays a draft"
    ),
    "IMPORT-MARKUP-DROPPED": N_("{what} in {where} is not carried over"),
    "IMPORT-NOT-CARRIED": N_("not carried over: {what}"),
    "IMPORT-FRACTIONS-DIFFER": N_(
        "the answers' own fractions ({fractions}) are not kept: the event's scoring rules score the item"
    ),
    "IMPORT-RUBRIC-MADE": N_("the essay had no rubric; a two-level one was made: edit it"),
    "IMPORT-WEIGHTS-SCALED": N_("no skala: tag; each option's points are its fraction times {high}"),
    "IMPORT-ID-INVALID": N_("the id {given!r} is not a valid item id; the item is {id!r}"),
    "IMPORT-ID-REPEATED": N_("the id {given!r} was used before in the file; the item is {id!r}"),
    "EXPORT-NEEDS-OUT": N_("{format} cannot be written to the screen; name the file with --out"),
    "EXPORT-NOT-CARRIED": N_("{format} has no place for {what}; not written"),
    "EXPORT-TYPE-UNSUPPORTED": N_("{format} has no {type} question; the item is not written"),
    "EXPORT-SECRET-DAMAGED": N_(
        "the key file is damaged; delete it and a new key is made, but pseudonyms made before will change"
    ),
    # -- Backup and restore
    # Writing an archive
    "BACKUP-FILE-EXISTS": N_("the file exists; give --force to replace it"),
    "BACKUP-UNWRITABLE": N_("cannot write the archive: {reason}"),
    # Reading an archive
    "BACKUP-NOT-ZIP": N_("not a backup archive (not a readable zip file): {reason}"),
    "BACKUP-NOT-A-BACKUP": N_("this zip file is not an assess backup (its manifest.json does not say so)"),
    "BACKUP-MEMBER-MISSING": N_("the archive has no {member!r}: it is incomplete"),
    "BACKUP-MEMBER-UNREADABLE": N_("this part of the archive cannot be read: {reason}"),
    "BACKUP-MANIFEST-INVALID": N_("the archive's manifest.json is damaged: {reason}"),
    "BACKUP-MANIFEST-FIELD": N_("missing or wrong in the archive's manifest.json: the archive is damaged"),
    "BACKUP-FORMAT-UNKNOWN": N_(
        "backup format version {version} is not one this version of assess reads ({known}); upgrade assess"
    ),
    "BACKUP-SCHEMA-NEWER": N_(
        "the archive was written by a newer version of assess (schema revision {revision}); "
        "upgrade assess to restore it"
    ),
    "BACKUP-SCHEMA-OLDER": N_(
        "the archive has the older schema revision {revision} (this version writes {head}): restore "
        "it with assess {version}, which wrote it, then upgrade assess; opening the database brings it "
        "up to date"
    ),
    "BACKUP-TABLE-UNKNOWN": N_(
        "the manifest names table {name!r}, which this version of assess does not know"
    ),
    "BACKUP-CHECKSUM": N_(
        "the contents do not match the manifest's SHA-256 checksum: the archive is damaged"
    ),
    "BACKUP-COUNT-MISMATCH": N_("{found} rows, but the manifest says {expected}: the archive is damaged"),
    "BACKUP-ROW-NOT-JSON": N_("the line is not a JSON object: {reason}"),
    "BACKUP-ROW-OTHER-EVENT": N_("the row belongs to event {found!r}, not to the archive's event {event!r}"),
    "BACKUP-MORE-PROBLEMS": N_("{n} more problems in this part are not shown"),
    "BACKUP-EVENT-ROW": N_(
        "the archive must hold exactly one row of event {event!r} in events; it holds {n}"
    ),
    "BACKUP-REFERENCE-MISSING": N_("attempt {attempt} is not in the archive"),
    # Restoring
    "BACKUP-EVENT-MISMATCH": N_(
        "the archive holds event {archive!r}, but this workspace is event {workspace!r}: restore it into "
        "a workspace whose assessment.yaml is that event's"
    ),
    "BACKUP-EVENT-EXISTS": N_(
        "the database already holds rows of event {event!r} (in {n} tables, such as {table}); nothing was "
        "restored: restore into an empty workspace or database"
    ),
    "BACKUP-RESTORE-FAILED": N_("the database refused the archive's rows; nothing was restored: {reason}"),
    # The HR workspace (assess hr)
    "HR-WORKSPACE-NOT-FOUND": N_(
        "no hr.yaml in {start} or any folder above it; give -w DIR, or make an HR workspace with "
        "assess hr init DIR"
    ),
    "HR-WORKSPACE-NO-FILE": N_("this folder has no hr.yaml; make an HR workspace with assess hr init DIR"),
    "HR-WORKSPACE-IS-EVENT": N_(
        "this folder is an event's workspace (assessment.yaml), not an HR workspace: assess hr commands "
        "need the folder with hr.yaml (assess hr init DIR makes one)"
    ),
    "HR-BACKUP-OLDER": N_(
        "this backup of {event} was written at {written}, before the one added ({added}); nothing "
        "changed. To go back to it, assess hr remove {event} first"
    ),
    "HR-EVENT-NOT-ADDED": N_(
        "the database already holds rows of event {event} that were not added by assess hr; add it "
        "with assess hr add --from-db (this database's URL) --event {event}"
    ),
    "HR-EVENT-UNKNOWN": N_("event {event!r} is not in the HR database; its events: {known}"),
    "HR-SOURCE-NOT-ASSESS": N_("this database holds no assess schema"),
    "HR-SOURCE-SCHEMA": N_(
        "this database has schema revision {revision}, whose event rows this version (revision {head}) "
        "does not read; open it once with this version of assess (assess db backup), then add it"
    ),
    "HR-PERSON-UNKNOWN": N_(
        "no person {person!r}: name a person by the number or the NIP assess hr people list shows"
    ),
    "HR-MERGE-SAME": N_("person {person} cannot be merged with themself"),
    "HR-MERGE-SAME-EVENT": N_(
        "persons {a} and {b} both took part in event {event}: two participants of one event are two people"
    ),
    "HR-SPLIT-NOT-IN-EVENT": N_("person {person} did not take part in event {event!r}"),
    "HR-SPLIT-ONLY-EVENT": N_(
        "event {event!r} is the only one of person {person}: there is nothing to split off"
    ),
    "HR-UNDO-NOTHING": N_("there is no merge or split to undo"),
    "HR-UNDO-UNKNOWN": N_("there is no merge or split {n} that is not undone; assess hr log lists them"),
    "HR-UNDO-LATER": N_("change {later}, made after {n}, touches the same people: undo {later} first"),
    "HR-POSITIONS-NOT-FOUND": N_(
        "no positions file {name!r} beside hr.yaml, and no shipped one by that id (shipped: {known})"
    ),
    "HR-FRAMEWORK-UNKNOWN": N_(
        "no framework {id!r}: a shipped framework's id or a file beside hr.yaml; known: {known}"
    ),
    "HR-POSITIONS-FRAMEWORK": N_(
        "the positions file is written for framework {positions!r}, but hr.yaml compares on {framework!r}"
    ),
    "RATINGS-HEADER-UNKNOWN": N_("unknown column {name!r}; a ratings file has the columns {expected}"),
    "RATINGS-COLUMN-MISSING": N_("the column {name} is missing"),
    "RATINGS-NIP-EMPTY": N_("the NIP is empty: a rating needs the NIP of its civil servant"),
    "RATINGS-YEAR-INVALID": N_("{value!r} is not a year from {first} to {last}"),
    "RATINGS-RATING-INVALID": N_(
        "{value!r} is not a rating: one of {expected}, or a number from {low} to {high}"
    ),
    "RATINGS-DUPLICATE": N_("NIP {nip} has a rating for {year} already, in row {other}"),
    "RATINGS-NO-ROWS": N_("the file holds no ratings"),
    "RATINGS-NIP-UNKNOWN": N_(
        "NIP {nip} is nobody's in the HR database; add the events they took part in, or leave such "
        "rows out with --skip-unknown"
    ),
    "RATINGS-MORE-UNKNOWN": N_("and {n} more rows with an unknown NIP"),
    "ROSTER-HEADER-UNKNOWN": N_("unknown column {name!r}; a roster has the columns {expected}"),
    "ROSTER-COLUMN-MISSING": N_("the column {name} is missing"),
    "ROSTER-NIP-EMPTY": N_("the NIP is empty: the roster lists civil servants by NIP"),
    "ROSTER-NIP-DUPLICATE": N_("NIP {nip} is also in row {other}"),
    "ROSTER-DATE-INVALID": N_("{value!r} is not a date such as 1970-04-16 or 16-04-1970"),
    "ROSTER-NO-ROWS": N_("the file holds no one"),
    "UNITS-UNKNOWN": N_("no unit {unit!r}: name a unit by the code or a name assess hr units shows"),
    "UNITS-MERGE-SAME": N_("{unit} is one unit already"),
    "HR-CALIBRATION-NO-RESULTS": N_("no results to calibrate: add events whose tests were scored"),
    "HR-CALIBRATION-NOT-LINKED": N_(
        "the events share no item with run {run}: their results cannot be put on its scale"
    ),
    "HR-CALIBRATION-FAILED": N_("the calibration cannot be made: {reason}"),
    "HR-CALIBRATION-NO-SPREAD": N_(
        "the first run needs measures that differ, of at least 2 people, to set its scale ({n} found)"
    ),
    "HR-EVENT-HERE": N_(
        "event {event} is registered from the HR database itself: its rows are the trainer's and are never "
        "replaced; to hold a copy instead, assess hr remove {event} first"
    ),
    "HR-SOURCE-UNREADABLE": N_("this database cannot be read as an assess database: {reason}"),
    "HR-SOURCE-NO-EVENT": N_("this database holds no event {event!r} with participants, phases or attempts"),
    "BACKUP-NO-FILES": N_(
        "this archive (backup format 1) holds no assessment.yaml, and {folder} has none: restore it into "
        "the workspace of its event (with its assessment.yaml), or back the event up again with this "
        "version of assess"
    ),
    "BACKUP-FOLDER-NOT-EMPTY": N_(
        "not a workspace (no assessment.yaml) and not empty: restore a backup into an empty or a new "
        "folder, or into its event's workspace"
    ),
    # -- Item analysis
    # Two kinds: problems of the input (a marks file, --max-marks, a phase without
    # results), which end in exit 2; and flags, findings about items and
    # distractors, which `assess analyze items` reports with exit 0.
    # Input: the marks file and the options
    "ANALYZE-MATRIX-FORMAT": N_("{suffix!r} files cannot be read; save the marks as CSV UTF-8 or as .xlsx"),
    "ANALYZE-MATRIX-CSV-SYNTAX": N_("the CSV cannot be read: {reason}"),
    "ANALYZE-MATRIX-NO-HEADER": N_(
        "the first row must name the items: an optional first column id, then one column per item"
    ),
    "ANALYZE-MATRIX-NO-ITEMS": N_("the header row names no item columns"),
    "ANALYZE-MATRIX-HEADER-EMPTY": N_("this column has no item name in the header row"),
    "ANALYZE-MATRIX-HEADER-DUPLICATE": N_("this item name is also the header of column {other}"),
    "ANALYZE-MATRIX-NOT-WHOLE": N_(
        "{value!r} is not a whole score from 0; the Rasch model takes scores 0, 1, 2, ... "
        "(leave the cell empty for an item not given)"
    ),
    "ANALYZE-RASCH-NOT-CALIBRATED": N_(
        "not calibrated: {items}. Among the persons with a score neither 0 nor full, nobody gave one "
        "of each item's scores (everyone right, say, or a middle score never given); the other items "
        "are calibrated"
    ),
    "RASCH-MISFIT-NOISY": N_(
        "{statistic} mean square {value} is above {limit}: answers vary more than the model expects "
        "(a flawed key, a guessable item, or one that measures something else)"
    ),
    "RASCH-MISFIT-PREDICTABLE": N_(
        "{statistic} mean square {value} is below {limit}: answers are more predictable than the "
        "model expects (often an item that depends on another)"
    ),
    "ANALYZE-RASCH-IMPOSSIBLE": N_("the items cannot be calibrated: {reason}"),
    "ANALYZE-MATRIX-ROW-SKIPPED": N_("a row of empty cells (no id, no marks): skipped"),
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
    "ANALYZE-MAX-MARKS-WHOLE": N_(
        "--max-marks: {value!r} is not a whole number from 1 to {max}: an item's scores are the "
        "categories 0 to its maximum"
    ),
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
    # -- Pre/post analysis
    # A pairs file (assess analyze prepost --pairs FILE)
    "PREPOST-COLUMN-MISSING": N_("the column {name!r} is missing; a pairs file has the columns {expected}"),
    "PREPOST-COLUMN-DUPLICATE": N_("the column {name!r} appears twice (also column {other})"),
    "PREPOST-ID-EMPTY": N_("the id is empty"),
    "PREPOST-ID-DUPLICATE": N_("the id {id!r} is also in row {other}"),
    "PREPOST-SCORE-NOT-NUMBER": N_("{value!r} in column {header!r} is not a number"),
    "PREPOST-NO-PAIRS": N_(
        "no row has both a pre and a post score ({rows} rows under the header): there is nothing to compare"
    ),
    # An event's own results
    "PREPOST-PHASE-UNKNOWN": N_("{phase!r} is not a phase of this event; its phases are: {phases}"),
    "PREPOST-PHASES-SAME": N_(
        "the pre-test and the post-test are both phase {phase!r}; choose two phases with --pre and --post"
    ),
    # -- Reports and paper
    "PAPER-VARIANT-UNKNOWN": N_("the form has no variant {variant!r}; its variants: {variants}"),
    "REPORTS-OUT-NOT-EMPTY": N_(
        "the folder exists and holds other files than reports; give an empty or new folder with --out"
    ),
    "REPORTS-CANNOT-WRITE": N_("cannot write the reports: {reason}"),
}
