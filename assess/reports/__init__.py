"""Reports: contexts built from stored results and the analysis functions, rendered through
templates/report/ (one self-contained HTML file each, inline CSS and SVG, no network)."""
