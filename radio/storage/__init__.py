"""SQLite storage: tables, migrations, repositories. The database is the single source of truth."""
