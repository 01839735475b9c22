"""A small ward written straight into a real cache's snapshot tables, for the printing tests.

The sheets read the cache through `continuity.store.census`; these helpers fill the same
tables the importer fills, with the names, accents and apostrophes French wards really have,
so each test can add exactly the case it is about (40 orders, a held order, a recorded dose).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from continuity.core.clock import PARIS, to_utc_iso
from continuity.core.timing import parse_timing
from continuity.store.session import Session


def set_snapshot(session: Session, as_of: datetime) -> None:
    with session.transaction() as conn:
        conn.execute("DELETE FROM snapshot")
        conn.execute(
            "INSERT INTO snapshot (singleton, source, as_of, as_of_origin, imported_at,"
            " imported_by, signature, report) VALUES (1, 'test', ?, 'manifest', ?, 'admin',"
            " 'not-required', '{}')",
            (to_utc_iso(as_of), to_utc_iso(session.now())),
        )


def add_patient(
    session: Session,
    source_id: str,
    family: str,
    given: str,
    *,
    ipp: str,
    ward: str = "Médecine",
    room: str = "12",
    bed: str = "A",
    birth_date: str = "1950-02-01",
    sex: str = "female",
    allergy_status: str = "unknown",
) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO patients (source_id, ipp, family, given, birth_date, sex, ward, room,"
            " bed, admitted_at, allergy_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id,
                ipp,
                family,
                given,
                birth_date,
                sex,
                ward,
                room,
                bed,
                "2026-11-25T10:00:00Z",
                allergy_status,
            ),
        )


def add_allergy(
    session: Session,
    patient_id: str,
    substance: str,
    *,
    criticality: str | None = "high",
    reaction: str | None = None,
    status: str = "active",
) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO allergies (patient_id, substance, criticality, reaction, status)"
            " VALUES (?, ?, ?, ?, ?)",
            (patient_id, substance, criticality, reaction, status),
        )
        conn.execute(
            "UPDATE patients SET allergy_status = 'recorded' WHERE source_id = ?", (patient_id,)
        )


def add_order(
    session: Session,
    source_id: str,
    patient_id: str,
    drug: str,
    *,
    timing: dict[str, Any] | None,
    dose: float | None = 1,
    unit: str = "g",
    route: str = "voie orale",
    as_needed: bool = False,
    prn_reason: str | None = None,
    status: str = "active",
    high_alert: bool = False,
    start: str = "2026-11-25T08:00:00+01:00",
    end: str | None = None,
    instructions: str | None = None,
    form: str | None = None,
    prescriber: str = "Dr Claire Moreau",
    rpps: str = "10003456789",
) -> None:
    spec = parse_timing(timing, as_needed=as_needed, text=instructions)
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO orders (source_id, patient_id, drug, form, dose_value, dose_unit,"
            " route, instructions, timing, as_needed, prn_reason, start, end, status,"
            " prescriber_name, prescriber_rpps, authored_on, high_alert)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id,
                patient_id,
                drug,
                form,
                dose,
                unit,
                route,
                instructions,
                spec.to_json(),
                int(as_needed),
                prn_reason,
                start,
                end,
                status,
                prescriber,
                rpps,
                "2026-11-25T07:40:00Z",
                int(high_alert),
            ),
        )


def add_weight(session: Session, patient_id: str, kg: float, when: str) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO observations (patient_id, code, display, value, unit, effective)"
            " VALUES (?, '29463-7', 'Body weight', ?, 'kg', ?)",
            (patient_id, kg, when),
        )


def add_appointment(
    session: Session,
    source_id: str,
    kind: str,
    start: datetime,
    minutes: int,
    location: str,
    patient_id: str | None,
    description: str,
    participants: list[str] | None = None,
    service: str | None = None,
) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO appointments (source_id, kind, start, end, location, service,"
            " description, status, patient_id, participants)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?)",
            (
                source_id,
                kind,
                to_utc_iso(start),
                to_utc_iso(start + timedelta(minutes=minutes)),
                location,
                service,
                description,
                patient_id,
                json.dumps(participants or []),
            ),
        )


def record_dose(
    session: Session,
    order_id: str,
    patient_id: str,
    scheduled: datetime,
    at: datetime,
    *,
    given: bool = True,
) -> None:
    """A dose entry as the entries module writes it (kind 'dose', payload scheduled/status)."""
    with session.transaction() as conn:
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM entries").fetchone()[0]
        conn.execute(
            "INSERT INTO entries (uuid, device_id, seq, kind, author, clinical_time,"
            " recorded_time, tz, patient_id, order_id, payload)"
            " VALUES (?, ?, ?, 'dose', ?, ?, ?, 'Europe/Paris', ?, ?, ?)",
            (
                str(uuid.uuid4()),
                session.device.id,
                seq,
                session.user.login,
                to_utc_iso(at),
                to_utc_iso(session.now()),
                patient_id,
                order_id,
                json.dumps(
                    {
                        "scheduled": to_utc_iso(scheduled),
                        "status": "given" if given else "not_given",
                    }
                ),
            ),
        )


def paris(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


FOUR_A_DAY = {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}}
EVENING = {"repeat": {"when": ["EVE"]}}
Q8H = {"code": {"coding": [{"code": "Q8H"}]}}
AT_TIMES = {"repeat": {"timeOfDay": ["08:00:00", "08:30:00", "14:00:00"]}}
RANGE = {"repeat": {"frequency": 2, "frequencyMax": 3, "period": 1, "periodUnit": "d"}}


def small_ward(session: Session) -> None:
    """Three patients of Médecine and one of Chirurgie, as the tests describe them."""
    set_snapshot(session, session.now() - timedelta(hours=1))
    add_patient(
        session, "pat-1", "Dupont", "Jean", ipp="100001", sex="male", birth_date="1948-03-14"
    )
    add_allergy(session, "pat-1", "Pénicilline", reaction="Œdème de Quincke")
    add_weight(session, "pat-1", 71.5, "2026-11-27T07:00:00Z")
    add_order(session, "ord-para", "pat-1", "Paracétamol 1 g, comprimé", timing=FOUR_A_DAY)
    add_order(
        session,
        "ord-enox",
        "pat-1",
        "Énoxaparine 4000 UI/0,4 mL, solution injectable",
        timing=EVENING,
        dose=4000,
        unit="UI",
        route="voie sous-cutanée",
        high_alert=True,
    )
    add_order(
        session,
        "ord-morph",
        "pat-1",
        "Morphine 10 mg/1 mL, solution injectable",
        timing={"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
        dose=2,
        unit="mg",
        route="voie sous-cutanée",
        as_needed=True,
        prn_reason="si EVA > 4",
        high_alert=True,
    )
    add_order(
        session, "ord-amox", "pat-1", "Amoxicilline 1 g, gélule", timing=Q8H, status="stopped"
    )
    add_order(
        session,
        "ord-furo",
        "pat-1",
        "Furosémide 40 mg, comprimé",
        timing=AT_TIMES,
        dose=40,
        unit="mg",
        status="on-hold",
    )
    add_order(
        session,
        "ord-lact",
        "pat-1",
        "Lactulose 10 g/15 mL, solution buvable",
        timing=RANGE,
        dose=10,
        unit="g",
        instructions="2 à 3 sachets par jour selon transit",
    )
    add_patient(
        session,
        "pat-2",
        "D'Artagnan-Lefèvre",
        "Éloïse",
        ipp="100002",
        bed="B",
        allergy_status="none_known",
        birth_date="1987-07-30",
    )
    add_order(
        session,
        "ord-ins",
        "pat-2",
        "Insuline asparte 100 UI/mL, stylo",
        timing=AT_TIMES,
        dose=6,
        unit="UI",
        route="voie sous-cutanée",
        high_alert=True,
    )
    add_patient(
        session,
        "pat-3",
        "Ngô",
        "Thị Hương",
        ipp="100003",
        room="14",
        bed="A",
        allergy_status="unknown",
        birth_date="1999-12-02",
    )
    add_order(
        session,
        "ord-q8",
        "pat-3",
        "Ceftriaxone 1 g, poudre pour solution injectable",
        timing=Q8H,
        route="voie intraveineuse",
    )
    add_patient(
        session,
        "pat-4",
        "Martin",
        "Loïc",
        ipp="200001",
        ward="Chirurgie",
        room="3",
        bed="A",
        sex="male",
    )
    add_order(
        session,
        "ord-c1",
        "pat-4",
        "Néfopam 20 mg/2 mL",
        timing=FOUR_A_DAY,
        dose=20,
        unit="mg",
        route="voie intraveineuse",
    )
