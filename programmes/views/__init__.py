"""Views of the base app, one module per area."""
