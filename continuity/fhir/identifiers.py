"""Which identifier is which: the French INS, the hospital's IPP, the prescriber's RPPS.

Exporters label identifiers in several ways (an OID system, a v2-0203 type code, a type text
saying "IPP"), so each is recognised by any of them. All identifiers are kept as well; these
are only the ones printed on wristbands, MARs and prescriptions.

The same functions read both forms of an identifier: the FHIR one (`type` a CodeableConcept)
and the one the cache stores (`type` a plain string, the first code else the text, see
`datatypes.identifiers`), so "which identifier is the IPP" is decided here and nowhere else,
at import as when a merge looks for the IPP system in a cache.
"""

from __future__ import annotations

from typing import Any

from continuity.core.text import fold
from continuity.fhir.datatypes import as_str, codings, concept_text

#: INS-NIR, then INS-NIA, then their test OIDs (ANS, "Référentiel INS").
INS_SYSTEMS = (
    "1.2.250.1.213.1.4.8",
    "1.2.250.1.213.1.4.9",
    "1.2.250.1.213.1.4.10",
    "1.2.250.1.213.1.4.11",
)
INS_TYPES = ("INS-NIR", "INS-NIA", "INS-NIR-TEST", "INS-NIA-TEST")
#: Identification nationale des professionnels de santé (idNatPs): "8" + the RPPS number.
IDNATPS_SYSTEM = "1.2.250.1.71.4.2.1"
RPPS_SYSTEMS = ("http://rpps.fr", "https://rpps.fr")


def _oid(system: str) -> str:
    return system[8:] if system.startswith("urn:oid:") else system


def _valid(identifiers: Any) -> list[dict[str, Any]]:
    if not isinstance(identifiers, list):
        return []
    for ident in identifiers:
        if isinstance(ident, dict):
            as_str(ident.get("system"), "identifier.system")  # a number there is a broken file
    return [
        i
        for i in identifiers
        if isinstance(i, dict)
        and isinstance(i.get("value"), str)
        and i["value"].strip()
        and i.get("use") != "old"
    ]


def _type_codes(ident: dict[str, Any]) -> set[str]:
    kind = ident.get("type")
    if isinstance(kind, str):  # the cache's stored form: the first code, else the text
        return {kind.strip().upper()} if kind.strip() else set()
    return {code.upper() for _, code in codings(kind)}


def _type_label(ident: dict[str, Any]) -> str:
    """The type as a person reads it, folded; the stored string is its own label."""
    kind = ident.get("type")
    return fold(kind if isinstance(kind, str) else concept_text(kind) or "")


def ins(identifiers: Any) -> str | None:
    """The patient's INS (national health identity), real OIDs before test ones."""
    best: tuple[int, str] | None = None
    for ident in _valid(identifiers):
        system = _oid(ident.get("system") or "")
        rank = INS_SYSTEMS.index(system) if system in INS_SYSTEMS else None
        if rank is None:
            types = _type_codes(ident)
            rank = next((INS_TYPES.index(t) for t in INS_TYPES if t in types), None)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, ident["value"].strip())
    return best[1] if best else None


def ipp(identifiers: Any) -> str | None:
    """The local permanent patient id: labelled IPP, else type PI, else type MR (MRN)."""
    ranked: list[tuple[int, str]] = []
    for ident in _valid(identifiers):
        system = ident.get("system") or ""
        if _oid(system) in INS_SYSTEMS:
            continue
        types = _type_codes(ident)
        label = _type_label(ident)
        if "IPP" in types or "ipp" in label.split() or "ipp" in fold(system):
            ranked.append((0, ident["value"].strip()))
        elif "PI" in types:
            ranked.append((1, ident["value"].strip()))
        elif "MR" in types:
            ranked.append((2, ident["value"].strip()))
    return min(ranked)[1] if ranked else None


def rpps(identifiers: Any) -> str | None:
    """The prescriber's RPPS number (11 digits), from an RPPS or an idNatPs identifier."""
    for ident in _valid(identifiers):
        value = ident["value"].strip()
        system = _oid(ident.get("system") or "")
        if system == IDNATPS_SYSTEM:
            return value[1:] if len(value) == 12 and value.startswith("8") else value
        if system in RPPS_SYSTEMS or "RPPS" in _type_codes(ident):
            return value
    return None


def rpps_from_system(system: str | None, value: str | None) -> str | None:
    """The RPPS number in a conditional reference (`Practitioner?identifier=system|value`)."""
    if not system or not value:
        return None
    return rpps([{"system": system, "value": value}])
