"""The names of the files and folders of an event's workspace, in one place.

Indonesian names, as the trainers who open the folder read them.
"""

EVENT_FILE = "assessment.yaml"
DATABASE_FILE = "assess.db"  # the default database: SQLite in the folder
HR_FILE = "hr.yaml"  # what makes a folder an HR workspace (assess.hr), not an event's
HR_DATABASE_FILE = "hr.db"  # an HR workspace's default database
HR_REPORTS_FOLDER = "laporan-sdm"  # beside hr.yaml: assess hr report
HR_EXPORT_FILE = "sdm{suffix}.xlsx"  # beside hr.yaml: assess hr export (sdm.xlsx, sdm-pseudonim.xlsx)
SECRET_FILE = ".assess-secret-{name}"  # keys for pseudonyms and the web app's sessions
PASSWORD_FILE = ".assess-trainer-password"  # the trainer's password, hashed
PARTICIPANTS_FILE = "peserta.csv"  # the worked examples' participants
PARTICIPANTS_TEMPLATE = "peserta.xlsx"  # the template `assess init` writes
CARDS_FILE = "kartu-peserta.html"
BOOKLET_FILE = "naskah-{phase}-{variant}.html"
KEY_FILE = "kunci-{phase}.html"
SHEETS_FILE = "lembar-{phase}-{variant}.html"  # blank readable answer sheets of a variant
PERSONAL_SHEETS_FILE = "lembar-{phase}-peserta.html"  # one sheet per participant (form print --personal)
ANSWER_SHEET_FILE = "lembar-jawaban-{phase}.xlsx"
MARKS_FILE = "penilaian-uraian-{phase}.xlsx"
SKIPPED_FILE = "{stem}-dilewati.csv"  # beside an import: the rows `--skip-unknown` left out
RESULTS_EXPORT = "hasil"  # hasil-EVENT[-PHASE][-pseudonim].xlsx or .csv
RESPONSES_EXPORT = "jawaban"  # jawaban-EVENT[-PHASE][-pseudonim].csv
PSEUDONYMISED = "pseudonim"
REPORTS_FOLDER = "laporan"  # every report of the event: assess report, the dashboard, the demo
REPORTS_MARKER = ".assess-reports"  # a folder holding it is the reports' own, to be written anew
DEMO_MARKER = ".assess-demo"  # a folder holding it is a previous demo's, to be made anew
