"""Getting answers in, as pure plans: paper booklets and sheets, imports, marks, simulation."""
