"""The reporting app's pages, one module per area."""
