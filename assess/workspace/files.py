"""The names of the files and folders of an event's workspace, in one place."""

REPORTS_FOLDER = "laporan"  # every report of the event: assess report, the dashboard, the demo
