"""reconcile layer (see DESIGN.md)."""
