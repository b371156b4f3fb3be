"""Reports from the as-run log: airtime, the poverty programme report, the weekly log book.

Queries sum in SQLite (``airtime.py``, ``programme.py``, ``logbook.py``); renderers turn
the result into a table, CSV, JSON, XLSX, PDF or a PNG chart. Human formats are in
Vietnamese whatever the UI language (they are documents handed to officials);
CSV and JSON use ISO dates and stable English column names.
"""
