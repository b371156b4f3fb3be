"""The broadcast daemon: what airs when, derived from the database at every change."""
