"""Library services: importing files, editing, approving and retiring items."""
