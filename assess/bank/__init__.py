"""Question banks: the item model, competency frameworks, sources, YAML files."""
