"""What a package carries of the laptop's snapshot and users, for a merge that has no cache.

The merge runs on any IT machine: it cannot look up an order's status or a patient's name. So
each package carries, for the entries it holds: the orders they refer to (status, start, end,
drug: enough to show a dose given on an order stopped before it), their patients (name, birth
date, IPP; the temporary ones from their admission entries) and the people who recorded or
witnessed them. Read with plain SQL over the snapshot tables, in a few queries whatever the
number of entries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from continuity.fhir.identifiers import ipp as ipp_of_identifiers
from continuity.store.census import EFFECTIVE_ENTRIES
from continuity.store.session import Session

_ORDER_FIELDS = (
    "source_id",
    "patient_id",
    "drug",
    "status",
    "start",
    "end",
    "validity_end",
    "dose_value",
    "dose_unit",
    "route",
    "as_needed",
    "high_alert",
    "absent_from_snapshot",
)
_PATIENT_FIELDS = (
    "source_id",
    "ipp",
    "family",
    "given",
    "birth_date",
    "sex",
    "ward",
    "room",
    "bed",
    "identifiers",
)


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def orders(session: Session, order_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Snapshot orders by source id, and manual orders (by their order id) from entries."""
    wanted = sorted({o for o in order_ids if o})
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {', '.join(_ORDER_FIELDS)} FROM orders WHERE source_id IN ({marks})"
        for row in session.conn.execute(sql, chunk):
            data = dict(zip(_ORDER_FIELDS, row, strict=True))
            data["manual"] = False
            found[data.pop("source_id")] = data
    missing = set(wanted) - set(found)
    if missing:
        sql = (
            f"SELECT order_id, patient_id, payload, clinical_time FROM ({EFFECTIVE_ENTRIES})"
            " WHERE kind = 'manual_order'"
        )
        for order_id, patient_id, payload, clinical in session.conn.execute(sql):
            if order_id in missing:
                p = json.loads(payload)
                # a manual order is stopped by a correction: it stopped when that happened
                stopped = p.get("status") == "stopped"
                found[order_id] = {
                    "patient_id": patient_id,
                    "drug": p.get("drug"),
                    "status": p.get("status", "active"),
                    "start": p.get("start"),
                    "end": p.get("end") or (clinical if stopped else None),
                    "validity_end": None,
                    "dose_value": p.get("dose_value"),
                    "dose_unit": p.get("dose_unit"),
                    "route": p.get("route"),
                    "as_needed": bool(p.get("as_needed")),
                    "high_alert": bool(p.get("high_alert")),
                    "absent_from_snapshot": False,
                    "manual": True,
                }
    return found


def patients(session: Session, patient_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Snapshot patients, and downtime admissions (their latest admission entry)."""
    wanted = sorted({p for p in patient_ids if p})
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {', '.join(_PATIENT_FIELDS)} FROM patients WHERE source_id IN ({marks})"
        for row in session.conn.execute(sql, chunk):
            data = dict(zip(_PATIENT_FIELDS, row, strict=True))
            data["identifiers"] = json.loads(data["identifiers"] or "[]")
            data["temporary"] = False
            found[data.pop("source_id")] = data
    for patient_id, payload in session.conn.execute(
        "SELECT patient_id, payload FROM entries WHERE kind = 'admission' ORDER BY seq"
    ):
        if patient_id in wanted:
            p = json.loads(payload)
            found[patient_id] = {
                "ipp": None,
                "family": p.get("family"),
                "given": p.get("given"),
                "birth_date": p.get("birth_date"),
                "sex": p.get("sex"),
                "ward": p.get("ward"),
                "room": p.get("room"),
                "bed": p.get("bed"),
                "identifiers": [],
                "temporary": True,
            }
    return found


def ipp_system(session: Session) -> str | None:
    """The system the central record writes IPPs under (the commonest among the snapshot's
    patients): mapped temporary patients are then referred to the way the central record
    knows them. The identifiers are read in their stored form (`type` a plain string);
    `identifiers.ipp` is what says which of them is the IPP, as it did at import."""
    systems: Counter[str] = Counter()
    for ipp, identifiers in session.conn.execute(
        "SELECT ipp, identifiers FROM patients WHERE ipp IS NOT NULL LIMIT 500"
    ):
        for ident in json.loads(identifiers or "[]"):
            if ident.get("system") and ipp_of_identifiers([ident]) == ipp:
                systems[ident["system"]] += 1
    return systems.most_common(1)[0][0] if systems else None


def users(session: Session, logins: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = {u for u in logins if u}
    out = {}
    for login, name, role, professional_id in session.conn.execute(
        "SELECT login, display_name, role, professional_id FROM users"
    ):
        if login in wanted:
            out[login] = {"display_name": name, "role": role, "professional_id": professional_id}
    return out


def temporary_ids(session: Session) -> set[str]:
    return {
        r[0]
        for r in session.conn.execute(
            "SELECT DISTINCT patient_id FROM entries WHERE kind = 'admission'"
        )
    }


def chain_links(session: Session) -> list[tuple[str, str, str]]:
    """(uuid, supersedes, kind) of every correction and retraction in the cache."""
    return session.conn.execute(
        "SELECT uuid, supersedes, kind FROM entries WHERE supersedes IS NOT NULL ORDER BY seq"
    ).fetchall()
