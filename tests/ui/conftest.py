"""A small ward in a real encrypted cache, and the app's main window on it.

The ward is written with plain SQL in the snapshot tables (the same columns the importer
fills), so these tests depend only on the foundation and the census read model: a handful
of patients with the cases a nurse meets (accents, allergies, a high-alert drug, an
unknown allergy status), orders with real FHIR timings, appointments and vital signs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from continuity.core.clock import FixedClock, to_utc_iso
from continuity.core.timing import parse_timing
from continuity.store.cache import create_cache, login
from continuity.ui.main_window import MainWindow
from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD, PHARMACIST_PASSWORD

AS_OF = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 08:00 in Paris; the clock says 10:00 Paris

PATIENTS = [
    # id, ipp, family, given, birth, sex, ward, room, bed, allergy_status
    (
        "pat-1",
        "IPP0001",
        "Lefèvre",
        "Éloïse",
        "1948-03-02",
        "female",
        "Médecine",
        "101",
        "101-A",
        "recorded",
    ),
    (
        "pat-2",
        "IPP0002",
        "Martin",
        "Jean",
        "1975-07-14",
        "male",
        "Médecine",
        "102",
        "102-A",
        "none_known",
    ),
    (
        "pat-3",
        "IPP0003",
        "N'Diaye",
        "Awa",
        "1990-01-30",
        "female",
        "Chirurgie",
        "201",
        "201-B",
        "unknown",
    ),
    (
        "pat-4",
        "IPP0004",
        "Dupont",
        "Hélène",
        "1939-11-11",
        "female",
        "Chirurgie",
        "202",
        "202-A",
        "none_known",
    ),
]

ORDERS = [
    # id, patient, drug, dose, unit, route, timing, as_needed, high_alert, status
    (
        "ord-1",
        "pat-1",
        "Paracétamol 1 g cp",
        1,
        "g",
        "orale",
        {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
        False,
        False,
        "active",
    ),
    (
        "ord-2",
        "pat-1",
        "Insuline glargine",
        12,
        "UI",
        "sous-cutanée",
        {"repeat": {"timeOfDay": ["08:00:00"]}},
        False,
        True,
        "active",
    ),
    (
        "ord-3",
        "pat-1",
        "Morphine 10 mg/ml",
        5,
        "mg",
        "sous-cutanée",
        {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
        True,
        True,
        "active",
    ),
    (
        "ord-4",
        "pat-2",
        "Amoxicilline 1 g",
        1,
        "g",
        "orale",
        {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
        False,
        False,
        "active",
    ),
    (
        "ord-5",
        "pat-2",
        "Furosémide 40 mg",
        40,
        "mg",
        "orale",
        {"repeat": {"timeOfDay": ["08:00:00"]}},
        False,
        False,
        "stopped",
    ),
    (
        "ord-6",
        "pat-3",
        "Enoxaparine 4000 UI",
        4000,
        "UI",
        "sous-cutanée",
        {"repeat": {"timeOfDay": ["20:00:00"]}},
        False,
        True,
        "on-hold",
    ),
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Qt's offscreen platform warns when any dialog opens; real displays do not."""
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@dataclass
class Ward:
    path: Path
    clock: FixedClock
    recovery_key: str = ""


def write_ward(session) -> None:
    """The snapshot tables as an import would leave them."""
    now = to_utc_iso(AS_OF)
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO snapshot (singleton, source, as_of, as_of_origin, imported_at,"
            " imported_by, signature, report) VALUES (1, 'test ward', ?, 'manifest', ?, 'admin',"
            " 'not-required', '{}')",
            (now, now),
        )
        for pid, ipp, family, given, birth, sex, ward, room, bed, allergy in PATIENTS:
            conn.execute(
                "INSERT INTO patients (source_id, ipp, family, given, birth_date, sex, ward,"
                " room, bed, admitted_at, allergy_status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    pid,
                    ipp,
                    family,
                    given,
                    birth,
                    sex,
                    ward,
                    room,
                    bed,
                    "2026-11-25T09:00:00Z",
                    allergy,
                ),
            )
        conn.execute(
            "INSERT INTO allergies (patient_id, substance, criticality, reaction, status)"
            " VALUES ('pat-1', 'Pénicilline', 'high', 'œdème de Quincke', 'active')"
        )
        for oid, pid, drug, dose, unit, route, timing, prn, high, status in ORDERS:
            spec = parse_timing(timing, as_needed=prn)
            conn.execute(
                "INSERT INTO orders (source_id, patient_id, drug, dose_value, dose_unit, route,"
                " instructions, timing, as_needed, prn_reason, start, status, prescriber_name,"
                " authored_on, high_alert) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    oid,
                    pid,
                    drug,
                    dose,
                    unit,
                    route,
                    None,
                    spec.to_json(),
                    int(prn),
                    "douleur" if prn else None,
                    "2026-11-25T08:00:00Z",
                    status,
                    "Dr Moreau",
                    "2026-11-25T08:00:00Z",
                    int(high),
                ),
            )
        conn.execute(
            "INSERT INTO appointments (source_id, kind, start, end, location, service,"
            " description, status, patient_id, participants) VALUES"
            " ('ap-1', 'operating', '2026-11-28T12:30:00Z', '2026-11-28T14:00:00Z',"
            " 'Bloc salle 2', 'Chirurgie orthopédique', 'Prothèse de hanche', 'booked',"
            " 'pat-4', ?)",
            (json.dumps(["Dr Girard"]),),
        )
        conn.execute(
            "INSERT INTO appointments (source_id, kind, start, end, location, service,"
            " description, status, patient_id, participants) VALUES"
            " ('ap-2', 'appointment', '2026-11-28T09:00:00Z', '2026-11-28T09:30:00Z',"
            " 'Radiologie', 'Scanner thoracique', NULL, 'booked', 'pat-2', '[]')"
        )
        conn.execute(
            "INSERT INTO observations (patient_id, code, display, value, unit, effective)"
            " VALUES ('pat-1', '29463-7', 'Poids', 61.5, 'kg', '2026-11-27T07:00:00Z')"
        )


NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Paris


@pytest.fixture(scope="session")
def ward_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The ward cache, built once (set-up costs fsyncs); each test works on its own copy."""
    from continuity.store import key_slots, users

    folder = tmp_path_factory.mktemp("ward-template")
    path = folder / "ward.db"
    clock = FixedClock(NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(key_slots, "DEFAULT_SCRYPT", {"n": 2**12, "r": 8, "p": 1})
        recovery = create_cache(
            path,
            device_name="SAGESSE-3A-PC1",
            admin_login="admin",
            admin_password=ADMIN_PASSWORD,
            admin_display_name="Alice Admin",
            site_name="Clinique Test",
            clock=clock,
        )
        with login(path, "admin", ADMIN_PASSWORD, clock=clock) as session:
            users.add_user(session, "nurse", "Nadia Infirmière", "nurse", NURSE_PASSWORD)
            users.add_user(
                session,
                "pharma",
                "Paul Pharmacien",
                "pharmacist",
                PHARMACIST_PASSWORD,
                "10101234567",
            )
            write_ward(session)
    return path, recovery


@pytest.fixture
def ward(ward_template: tuple[Path, str], tmp_path: Path) -> Ward:
    template, recovery = ward_template
    for source in template.parent.glob("ward.db*"):
        shutil.copy2(source, tmp_path / source.name)
    return Ward(tmp_path / "ward.db", FixedClock(NOW), recovery)


@pytest.fixture
def window(qtbot, ward: Ward) -> MainWindow:
    from continuity.ui.app import application

    application()
    win = MainWindow(ward.path, ward.clock, idle_check_ms=3_600_000)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def log_in(qtbot, window: MainWindow, user: str = "nurse", password: str | None = None) -> None:
    """Type into the real fields and click the real button, as a person would."""
    passwords = {"nurse": NURSE_PASSWORD, "admin": ADMIN_PASSWORD, "pharma": PHARMACIST_PASSWORD}
    page = window.login_page
    page.user_edit.clear()
    qtbot.keyClicks(page.user_edit, user)
    qtbot.keyClicks(page.password_edit, password or passwords[user])
    from PySide6.QtCore import Qt

    qtbot.mouseClick(page.login_button, Qt.MouseButton.LeftButton)
