"""Why a snapshot was refused: each one sentence for IT, each leaving the cache unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from continuity.core.errors import BadInput, UserError

if TYPE_CHECKING:
    from continuity.fhir.report import ImportReport


class SnapshotFormatError(BadInput):
    """A file cannot be read as FHIR at all (truncated JSON, not a Bundle...): the whole
    import stops, whatever --accept-partial says, because what follows cannot be trusted."""


class SnapshotRejected(BadInput):
    """Some resources failed validation and partial imports were not accepted."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


class SignatureRefused(BadInput):
    """The snapshot is unsigned, or signed by another key, or altered after signing."""


class ImportCancelled(UserError):
    """The user cancelled; nothing was changed."""


class Invalid(ValueError):
    """Internal: one resource fails validation; the message is the reason shown in the report.

    Reasons stay in English: they name FHIR elements, which IT staff read in English anyway.
    """
