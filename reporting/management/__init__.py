"""Management commands of the reporting app."""
