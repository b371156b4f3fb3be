"""The command line: one module per command group, each a thin adapter over a worker."""
