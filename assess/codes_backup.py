"""Problem codes and messages of backup and restore (merged into assess.codes.MESSAGES)."""

from assess.i18n import N_

MESSAGES: dict[str, str] = {
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
}
