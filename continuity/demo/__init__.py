"""A synthetic French clinic written as a FHIR R4 Bulk Data export (see DESIGN.md).

Used for training, demonstrations, tests and benchmarks: no real patient ever needs to leave
the hospital for the product to be shown or tested at scale.
"""

from __future__ import annotations

from continuity.demo.hospital import DEFAULT_SITE_NAME, DemoSummary, write_demo_snapshot

__all__ = ["DEFAULT_SITE_NAME", "DemoSummary", "write_demo_snapshot"]
