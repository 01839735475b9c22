"""Reading what the ward needs: patients, orders, allergies, schedules, latest vitals.

One read model for the screens, the sheets, the safety checks and the CLI. It joins the
snapshot (replaced whole at each import) with what was recorded on this laptop since: downtime
admissions, transfers and discharges, and manual orders (entries of those kinds that are not
superseded). Entries are the truth for what happened during the outage; the snapshot is what
the central system knew at "data as of".

Entry payload contract (written by `continuity.store.entries`):
- ``admission``: patient_id = temporary id; payload family, given, birth_date, sex, ward, room, bed
- ``transfer``: payload ward, room, bed; ``discharge``: payload destination (optional)
- ``manual_order``: order_id = the uuid of the first entry of the order (a correction keeps that
  id, so doses recorded against it stay attached; when order_id is empty the entry's own uuid is
  the order id); payload drug, dose_value, dose_unit, route,
  instructions, timing (FHIR Timing dict or null), as_needed, prn_reason, start, end,
  prescriber_name, paper_ref, high_alert
- a correction is a new entry of the same kind with ``supersedes``; kind ``retraction`` with
  ``supersedes`` withdraws an entry entered in error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from continuity.core.clock import from_iso
from continuity.core.roles import Permission
from continuity.store.session import Session

#: Entries that still count: not superseded by a later one, not a retraction themselves.
EFFECTIVE_ENTRIES = """
    SELECT * FROM entries e
    WHERE e.kind != 'retraction'
      AND NOT EXISTS (SELECT 1 FROM entries s WHERE s.supersedes = e.uuid)
"""


@dataclass(frozen=True)
class SnapshotInfo:
    source: str
    as_of: datetime
    as_of_origin: str
    imported_at: datetime
    imported_by: str
    signature: str
    report: dict[str, Any]


@dataclass(frozen=True)
class Allergy:
    substance: str
    code: str | None
    criticality: str | None
    reaction: str | None
    status: str


@dataclass(frozen=True)
class Patient:
    id: str  # snapshot source id, or the temporary id of a downtime admission
    ipp: str | None
    ins: str | None
    family: str
    given: str
    birth_date: date | None
    sex: str | None
    ward: str | None
    room: str | None
    bed: str | None
    admitted_at: datetime | None
    allergy_status: str  # recorded | none_known | unknown
    deceased: bool = False
    absent_from_snapshot: bool = False
    temporary: bool = False
    discharged: bool = False
    high_alert_orders: int = 0
    identifiers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        """French usage on wards and wristbands: family name in capitals, then given name."""
        return f"{self.family.upper()} {self.given}".strip()

    @property
    def label_id(self) -> str:
        """What staff quote: the IPP, or the temporary id of a downtime admission."""
        return self.ipp or self.id

    def age(self, on: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@dataclass(frozen=True)
class Order:
    id: str
    patient_id: str
    drug: str
    drug_code: str | None
    form: str | None
    dose_value: float | None
    dose_unit: str | None
    route: str | None
    instructions: str | None
    timing_json: str
    as_needed: bool
    prn_reason: str | None
    start: datetime | None
    end: datetime | None
    validity_end: datetime | None
    status: str
    prescriber_id: str | None
    prescriber_name: str | None
    prescriber_rpps: str | None
    authored_on: datetime | None
    high_alert: bool
    absent_from_snapshot: bool = False
    manual: bool = False
    paper_ref: str | None = None

    @functools.cached_property
    def timing(self):  # -> continuity.core.timing.TimingSpec
        """Decoded once per order object: pick lists expand thousands of them."""
        from continuity.core.timing import spec_from_json

        return spec_from_json(self.timing_json)

    @property
    def is_active(self) -> bool:
        return self.status in ("active", "on-hold")

    @property
    def dose_text(self) -> str:
        if self.dose_value is None:
            return ""
        value = f"{self.dose_value:g}".replace(".", ",")
        return f"{value} {self.dose_unit or ''}".strip()

    def expired(self, now: datetime) -> bool:
        """Past its validity or its end: outages last weeks, orders run out meanwhile."""
        limit = min((t for t in (self.end, self.validity_end) if t is not None), default=None)
        return limit is not None and limit <= now


@dataclass(frozen=True)
class Appointment:
    id: str
    kind: str  # operating | appointment
    start: datetime | None
    end: datetime | None
    location: str | None
    service: str | None
    description: str | None
    status: str | None
    patient_id: str | None
    participants: list[str]


@dataclass(frozen=True)
class Observation:
    code: str
    display: str
    value: float | None
    value_text: str | None
    unit: str | None
    effective: datetime | None


def _dt(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


# -- snapshot ------------------------------------------------------------------------------
def staff_names(session: Session) -> dict[str, str]:
    """login -> the person's name, for who recorded or witnessed an entry: "Inès Martin"
    reads at a glance where "ines.martin" has to be deciphered."""
    session.require(Permission.VIEW_PATIENTS)
    return dict(session.conn.execute("SELECT login, display_name FROM users").fetchall())


def snapshot_info(session: Session) -> SnapshotInfo | None:
    row = session.conn.execute(
        "SELECT source, as_of, as_of_origin, imported_at, imported_by, signature, report"
        " FROM snapshot"
    ).fetchone()
    if row is None:
        return None
    return SnapshotInfo(
        row[0], from_iso(row[1]), row[2], from_iso(row[3]), row[4], row[5], json.loads(row[6])
    )


# -- patients ------------------------------------------------------------------------------
_PATIENT_COLUMNS = (
    "p.source_id, p.ipp, p.ins, p.family, p.given, p.birth_date, p.sex, p.ward, p.room, p.bed,"
    " p.admitted_at, p.allergy_status, p.deceased, p.absent_from_snapshot, p.identifiers,"
    " (SELECT count(*) FROM orders o WHERE o.patient_id = p.source_id AND o.high_alert = 1"
    "  AND o.status IN ('active', 'on-hold'))"
)


def _patient_from_row(row: tuple) -> Patient:
    return Patient(
        id=row[0],
        ipp=row[1],
        ins=row[2],
        family=row[3],
        given=row[4],
        birth_date=_date(row[5]),
        sex=row[6],
        ward=row[7],
        room=row[8],
        bed=row[9],
        admitted_at=_dt(row[10]),
        allergy_status=row[11],
        deceased=bool(row[12]),
        absent_from_snapshot=bool(row[13]),
        identifiers=json.loads(row[14] or "[]"),
        high_alert_orders=int(row[15]),
    )


def _effective(session: Session, kinds: Iterable[str]) -> list[tuple]:
    kinds = tuple(kinds)
    marks = ",".join("?" * len(kinds))
    return session.conn.execute(
        f"SELECT uuid, kind, patient_id, order_id, clinical_time, payload FROM ({EFFECTIVE_ENTRIES})"
        f" WHERE kind IN ({marks}) ORDER BY clinical_time, seq",
        kinds,
    ).fetchall()


def _apply_movements(session: Session, patients: dict[str, Patient]) -> dict[str, Patient]:
    """Downtime admissions, then transfers and discharges, in clinical-time order."""
    from dataclasses import replace

    for _uuid, kind, patient_id, _order, clinical, payload_text in _effective(
        session, ("admission", "transfer", "discharge")
    ):
        payload = json.loads(payload_text)
        if kind == "admission":
            patients[patient_id] = Patient(
                id=patient_id,
                ipp=None,
                ins=None,
                family=payload.get("family", ""),
                given=payload.get("given", ""),
                birth_date=_date(payload.get("birth_date")),
                sex=payload.get("sex"),
                ward=payload.get("ward"),
                room=payload.get("room"),
                bed=payload.get("bed"),
                admitted_at=from_iso(clinical),
                allergy_status=payload.get("allergy_status", "unknown"),
                temporary=True,
            )
        elif patient_id in patients:
            current = patients[patient_id]
            if kind == "transfer":
                patients[patient_id] = replace(
                    current,
                    ward=payload.get("ward"),
                    room=payload.get("room"),
                    bed=payload.get("bed"),
                    discharged=False,
                )
            else:
                patients[patient_id] = replace(current, discharged=True)
    return patients


def list_patients(
    session: Session,
    *,
    ward: str | None = None,
    include_discharged: bool = False,
    include_absent: bool = False,
) -> list[Patient]:
    """The census, ordered by ward, room and bed; downtime admissions included and marked."""
    session.require(Permission.VIEW_PATIENTS)
    rows = session.conn.execute(
        f"SELECT {_PATIENT_COLUMNS} FROM patients p WHERE p.deceased = 0"
    ).fetchall()
    patients = {row[0]: _patient_from_row(row) for row in rows}
    patients = _apply_movements(session, patients)
    result = [
        p
        for p in patients.values()
        if (include_discharged or not p.discharged)
        and (include_absent or not p.absent_from_snapshot)
        and (ward is None or p.ward == ward)
    ]
    result.sort(key=lambda p: (p.ward or "~", p.room or "~", p.bed or "~", p.family, p.given))
    return result


def wards(session: Session) -> list[str]:
    return sorted({p.ward for p in list_patients(session) if p.ward})


def get_patient(session: Session, patient_id: str) -> Patient | None:
    """By snapshot id, IPP or temporary id (what the CLI and the labels use)."""
    session.require(Permission.VIEW_PATIENTS)
    row = session.conn.execute(
        f"SELECT {_PATIENT_COLUMNS} FROM patients p WHERE p.source_id = ? OR p.ipp = ?"
        " ORDER BY p.source_id = ? DESC LIMIT 1",
        (patient_id, patient_id, patient_id),
    ).fetchone()
    patients: dict[str, Patient] = {}
    if row is not None:
        patients[row[0]] = _patient_from_row(row)
    patients = _apply_movements(session, patients)
    key = row[0] if row is not None else patient_id
    return patients.get(key)


def allergies(session: Session, patient_id: str) -> list[Allergy]:
    """Active allergies (a refuted or resolved allergy is not a warning), snapshot then
    recorded during the outage."""
    return allergies_for(session, [patient_id])[patient_id]


def allergies_for(session: Session, patient_ids: Iterable[str]) -> dict[str, list[Allergy]]:
    """`allergies` for many patients at once (the census): two queries, not two per patient."""
    session.require(Permission.VIEW_PATIENTS)
    wanted = set(patient_ids)
    found: dict[str, list[Allergy]] = {pid: [] for pid in wanted}
    where, params = "", []  # type: tuple[str, list[str]]
    if len(wanted) <= 500:  # one patient (the safety checks) must not scan every row
        where = f" AND patient_id IN ({','.join('?' * len(wanted))})"
        params = sorted(wanted)
    for pid, *fields in session.conn.execute(
        "SELECT patient_id, substance, code, criticality, reaction, status FROM allergies"
        f" WHERE status = 'active'{where} ORDER BY criticality = 'high' DESC, substance",
        params,
    ):
        if pid in wanted:
            found[pid].append(Allergy(*fields))
    for _u, _k, pid, _o, _c, payload in _effective(session, ("allergy",)):
        if pid in wanted:
            data = json.loads(payload)
            found[pid].append(
                Allergy(
                    data.get("substance", ""),
                    data.get("code"),
                    data.get("criticality"),
                    data.get("reaction"),
                    "active",
                )
            )
    return found


def _effective_for_patient(
    session: Session, patient_id: str, kinds: tuple[str, ...]
) -> list[tuple]:
    return [r for r in _effective(session, kinds) if r[2] == patient_id]


# -- orders --------------------------------------------------------------------------------
_ORDER_COLUMNS = (
    "source_id, patient_id, drug, drug_code, form, dose_value, dose_unit, route, instructions,"
    " timing, as_needed, prn_reason, start, end, validity_end, status, prescriber_id,"
    " prescriber_name, prescriber_rpps, authored_on, high_alert, absent_from_snapshot"
)


def _order_from_row(row: tuple) -> Order:
    return Order(
        id=row[0],
        patient_id=row[1],
        drug=row[2],
        drug_code=row[3],
        form=row[4],
        dose_value=row[5],
        dose_unit=row[6],
        route=row[7],
        instructions=row[8],
        timing_json=row[9],
        as_needed=bool(row[10]),
        prn_reason=row[11],
        start=_dt(row[12]),
        end=_dt(row[13]),
        validity_end=_dt(row[14]),
        status=row[15],
        prescriber_id=row[16],
        prescriber_name=row[17],
        prescriber_rpps=row[18],
        authored_on=_dt(row[19]),
        high_alert=bool(row[20]),
        absent_from_snapshot=bool(row[21]),
    )


def _manual_order(uuid: str, patient_id: str, clinical: str, payload: dict) -> Order:
    from continuity.core.timing import parse_timing

    timing = parse_timing(
        payload.get("timing"),
        as_needed=bool(payload.get("as_needed")),
        text=payload.get("instructions"),
    )
    return Order(
        id=uuid,
        patient_id=patient_id,
        drug=payload.get("drug", ""),
        drug_code=None,
        form=payload.get("form"),
        dose_value=payload.get("dose_value"),
        dose_unit=payload.get("dose_unit"),
        route=payload.get("route"),
        instructions=payload.get("instructions"),
        timing_json=timing.to_json(),
        as_needed=bool(payload.get("as_needed")),
        prn_reason=payload.get("prn_reason"),
        start=_dt(payload.get("start")) or from_iso(clinical),
        end=_dt(payload.get("end")),
        validity_end=None,
        status=payload.get("status", "active"),
        prescriber_id=None,
        prescriber_name=payload.get("prescriber_name"),
        prescriber_rpps=payload.get("prescriber_rpps"),
        authored_on=from_iso(clinical),
        high_alert=bool(payload.get("high_alert")),
        manual=True,
        paper_ref=payload.get("paper_ref"),
    )


def orders(session: Session, patient_id: str, *, active_only: bool = True) -> list[Order]:
    """A patient's orders: snapshot and manual; active and on-hold only unless asked."""
    session.require(Permission.VIEW_PATIENTS)
    rows = session.conn.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders WHERE patient_id = ?", (patient_id,)
    ).fetchall()
    found = [_order_from_row(r) for r in rows]
    for uuid, _k, pid, order_id, clinical, payload in _effective_for_patient(
        session, patient_id, ("manual_order",)
    ):
        found.append(_manual_order(order_id or uuid, pid, clinical, json.loads(payload)))
    if active_only:
        found = [o for o in found if o.is_active]
    found.sort(key=lambda o: (o.as_needed, o.drug.lower(), o.id))
    return found


def get_order(session: Session, order_id: str) -> Order | None:
    session.require(Permission.VIEW_PATIENTS)
    row = session.conn.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders WHERE source_id = ?", (order_id,)
    ).fetchone()
    if row is not None:
        return _order_from_row(row)
    for uuid, _k, pid, entry_order, clinical, payload in _effective(session, ("manual_order",)):
        if (entry_order or uuid) == order_id:
            return _manual_order(order_id, pid, clinical, json.loads(payload))
    return None


def active_orders_for(session: Session, patient_ids: Iterable[str]) -> dict[str, list[Order]]:
    """Batch form for ward sheets and pick lists: one query instead of one per patient."""
    session.require(Permission.VIEW_PATIENTS)
    ids = list(patient_ids)
    result: dict[str, list[Order]] = {pid: [] for pid in ids}
    wanted = set(ids)
    for row in session.conn.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders WHERE status IN ('active', 'on-hold')"
    ):
        if row[1] in wanted:
            result[row[1]].append(_order_from_row(row))
    for uuid, _k, pid, order_id, clinical, payload in _effective(session, ("manual_order",)):
        if pid in wanted:
            order = _manual_order(order_id or uuid, pid, clinical, json.loads(payload))
            if order.is_active:
                result[pid].append(order)
    for found in result.values():
        found.sort(key=lambda o: (o.as_needed, o.drug.lower(), o.id))
    return result


# -- schedules and vitals ------------------------------------------------------------------
def appointments(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    kind: str | None = None,
    patient_id: str | None = None,
) -> list[Appointment]:
    """Appointments starting in [start, end), by start time then location."""
    session.require(Permission.VIEW_PATIENTS)
    from continuity.core.clock import to_utc_iso

    sql = (
        "SELECT source_id, kind, start, end, location, service, description, status,"
        " patient_id, participants FROM appointments WHERE start >= ? AND start < ?"
    )
    params: list[Any] = [to_utc_iso(start), to_utc_iso(end)]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    if patient_id:
        sql += " AND patient_id = ?"
        params.append(patient_id)
    sql += " ORDER BY start, location"
    return [
        Appointment(
            r[0], r[1], _dt(r[2]), _dt(r[3]), r[4], r[5], r[6], r[7], r[8], _participant_names(r[9])
        )
        for r in session.conn.execute(sql, params)
    ]


def _participant_names(text: str | None) -> list[str]:
    """People taking part, as printed: "Dr Hamon (chirurgien)"; the importer stores dicts."""
    names = []
    for item in json.loads(text or "[]"):
        if isinstance(item, dict):
            name = item.get("name") or ""
            role = item.get("role")
            names.append(f"{name} ({role})" if role and name else name or role or "")
        else:
            names.append(str(item))
    return [n for n in names if n]


def latest_observations(session: Session, patient_id: str) -> list[Observation]:
    """The snapshot's latest vital signs (one per LOINC code), with their dates."""
    session.require(Permission.VIEW_PATIENTS)
    rows = session.conn.execute(
        "SELECT code, display, value, value_text, unit, effective FROM observations"
        " WHERE patient_id = ? ORDER BY code",
        (patient_id,),
    ).fetchall()
    return [Observation(r[0], r[1], r[2], r[3], r[4], _dt(r[5])) for r in rows]


WEIGHT_LOINC = "29463-7"


def latest_weight(session: Session, patient_id: str) -> Observation | None:
    for obs in latest_observations(session, patient_id):
        if obs.code == WEIGHT_LOINC:
            return obs
    return None
