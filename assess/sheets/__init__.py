"""Tables in and out: CSV and XLSX reading and writing, with no room's rules."""
