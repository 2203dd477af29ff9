"""Reads of the reporting app: figures in SQL, one module per area."""
