"""References in every form a real exporter writes, resolved by id, URL or identifier.

- relative `Patient/123` (and `Patient/123/_history/2`);
- absolute `https://ehr.example/fhir/Patient/123`;
- `urn:uuid:...` / `urn:oid:...`, matched against Bundle `fullUrl`s;
- `#med1`, a resource contained in the referring one;
- conditional `Practitioner?identifier=system|value` (the Synthea sample writes these), and a
  logical reference (`identifier` without `reference`), both resolved by identifier.

A reference that resolves nowhere is not an error here: the caller decides (a missing Patient
rejects the resource; a missing Practitioner is kept as its display text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from continuity.fhir.errors import Invalid

_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")


@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed reference; which fields are set depends on its form."""

    text: str | None = None  # the reference string as written
    type: str | None = None
    id: str | None = None
    full_url: str | None = None
    system: str | None = None  # identifier system (conditional or logical reference)
    value: str | None = None  # identifier value
    contained: str | None = None
    display: str | None = None

    def label(self) -> str:
        """Something to show for an unresolved reference: its display, else as written."""
        if self.display:
            return self.display
        if self.text:
            return self.text
        if self.value:
            return f"{self.type or ''}?identifier={self.system or ''}|{self.value}"
        return ""


_MEMO: dict[tuple[Any, Any, Any], Ref | None] = {}


def parse_reference(obj: Any, element: str) -> Ref | None:
    """Read a Reference element; None when absent, Invalid when it is not a Reference.

    Memoised on the common shape (reference, display, type): a snapshot names the same patient,
    prescriber or medication thousands of times, and a `Ref` is immutable.
    """
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise Invalid(f"wrong shape: {element} must be a Reference")
    if len(obj) <= 3 and "identifier" not in obj:
        key = (obj.get("reference"), obj.get("display"), obj.get("type"))
        try:
            return _MEMO[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: not a valid Reference anyway
            return _parse(obj, element)
        found = _parse(obj, element)
        if len(_MEMO) > 200_000:
            _MEMO.clear()
        _MEMO[key] = found
        return found
    return _parse(obj, element)


def _parse(obj: dict[str, Any], element: str) -> Ref | None:
    display = obj.get("display") if isinstance(obj.get("display"), str) else None
    declared = obj.get("type") if isinstance(obj.get("type"), str) else None
    if declared and "/" in declared:  # a type given as a URL of its StructureDefinition
        declared = declared.rsplit("/", 1)[-1]
    text = obj.get("reference")
    if text is not None and not isinstance(text, str):
        raise Invalid(f"wrong shape: {element}.reference must be a string")
    if not text:
        ident = obj.get("identifier")
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            system = ident.get("system") if isinstance(ident.get("system"), str) else None
            return Ref(type=declared, system=system, value=ident["value"], display=display)
        return Ref(type=declared, display=display) if (display or declared) else None
    text = text.strip()
    if text.startswith("#"):
        return Ref(text=text, contained=text[1:], display=display)
    if text.startswith(("urn:uuid:", "urn:oid:")):
        return Ref(text=text, type=declared, full_url=text, display=display)
    if "?" in text:
        return _conditional(text, declared, display)
    if text.startswith(("http://", "https://")):
        kind, ident = _type_and_id(text.split("://", 1)[1].split("/")[1:])
        return Ref(text=text, type=kind or declared, id=ident, full_url=text, display=display)
    kind, ident = _type_and_id(text.split("/"))
    return Ref(text=text, type=kind or declared, id=ident, display=display)


def _type_and_id(segments: list[str]) -> tuple[str | None, str | None]:
    """The last `Type/id` pair of a path, skipping a trailing `_history/n`."""
    if len(segments) >= 4 and segments[-2] == "_history":
        segments = segments[:-2]
    if len(segments) >= 2 and _TYPE.match(segments[-2]) and segments[-1]:
        return segments[-2], segments[-1]
    return None, None


def _conditional(text: str, declared: str | None, display: str | None) -> Ref:
    base, query = text.split("?", 1)
    kind = base.rstrip("/").rsplit("/", 1)[-1] or declared
    for param in query.split("&"):
        name, _, raw = param.partition("=")
        if name != "identifier" or not raw:
            continue
        token = unquote(raw)
        if "|" in token:
            system, value = token.split("|", 1)
            return Ref(
                text=text, type=kind, system=system or None, value=value or None, display=display
            )
        return Ref(text=text, type=kind, value=token, display=display)
    return Ref(text=text, type=kind, display=display)


class Ambiguous(Invalid):
    """A conditional reference matches more than one resource: which one is meant is unknown."""


class ResourceIndex:
    """Every resource of the snapshot by (type, id), fullUrl and identifier."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], str] = {}  # -> where it was read
        self._urls: dict[str, tuple[str, str]] = {}
        self._identifiers: dict[tuple[str, str | None, str], set[str]] = {}

    def add(
        self,
        kind: str,
        ident: str,
        where: str,
        full_url: str | None = None,
        identifiers: list[dict[str, Any]] | None = None,
    ) -> str | None:
        """Register a resource; returns where the same (type, id) was read before, if it was."""
        key = (kind, ident)
        previous = self._ids.get(key)
        if previous is not None:
            return previous
        self._ids[key] = where
        if full_url:
            self._urls[full_url] = key
        for entry in identifiers or ():
            value = entry.get("value")
            if not isinstance(value, str):
                continue
            system = entry.get("system") if isinstance(entry.get("system"), str) else None
            self._identifiers.setdefault((kind, system, value), set()).add(ident)
            if system is not None:
                self._identifiers.setdefault((kind, None, value), set()).add(ident)
        return None

    def has(self, kind: str, ident: str) -> bool:
        return (kind, ident) in self._ids

    def resolve(
        self, ref: Ref | None, expected: str | tuple[str, ...] | None = None
    ) -> tuple[str, str] | None:
        """(type, id) of the resource meant, None if it is not in the snapshot.

        Contained references are resolved by the caller, which holds the containing resource.
        """
        if ref is None or ref.contained is not None:
            return None
        found = self._find(ref)
        if found is None:
            return None
        if expected is not None:
            allowed = (expected,) if isinstance(expected, str) else expected
            if found[0] not in allowed:
                return None
        return found

    def _find(self, ref: Ref) -> tuple[str, str] | None:
        if ref.full_url is not None and ref.full_url in self._urls:
            return self._urls[ref.full_url]
        if ref.type and ref.id:
            key = (ref.type, ref.id)
            return key if key in self._ids else None
        if ref.value is not None and ref.type:
            ids = self._identifiers.get((ref.type, ref.system, ref.value))
            if not ids:
                return None
            if len(ids) > 1:
                raise Ambiguous(f"reference {ref.label()} matches {len(ids)} {ref.type} resources")
            return ref.type, next(iter(ids))
        return None
