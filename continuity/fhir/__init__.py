"""fhir layer (see DESIGN.md)."""
