"""Storage: SQLAlchemy Core on SQLite (the default) or PostgreSQL; the only code that writes SQL."""
