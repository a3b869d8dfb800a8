"""Answer sheets made to be read from scans and phone photos: the layout (where every marker, code
and bubble is, in millimetres) that printing draws and reading measures, the reader, and the plan
that turns pages read into answer sheets."""
