"""Answer sheets made to be read from scans and phone photos: the layout (where every marker, code
and bubble is, in millimetres) that printing draws and reading measures."""
