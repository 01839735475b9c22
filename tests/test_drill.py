"""IT runs a downtime drill: a separate cache, EXERCICE on every page, a report, no real export."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from continuity.core.errors import BadInput
from continuity.demo.provision import DEMO_USERS
from continuity.printing.render import render_sheet
from continuity.printing.request import SheetRequest
from continuity.store import census
from continuity.store.cache import login
from continuity.store.drill import DrillStep, finish_drill, is_drill, record_step, start_drill
from continuity.store.entries import record_note


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def drill(cache, tmp_path):
    with cache.login("admin") as real:
        started = start_drill(real, tmp_path / "drill", participants=["Inès Martin", "Hugo Petit"],
                              patients=8)
        logged = real.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'drill_started'").fetchone()[0]
        real_patients = real.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    assert logged == 1 and real_patients == 0  # the real cache is untouched
    return started


def _drill_login(drill, role="nurse", clock=None):
    user = next(u for u in DEMO_USERS if u.role == role)
    return login(drill.path, user.login, user.password, clock=clock)


def test_drill_entries_and_sheets_are_marked_as_exercise(drill, cache):
    with _drill_login(drill, clock=cache.clock) as session:
        assert is_drill(session)
        patient = census.list_patients(session)[0]
        entry = record_note(session, patient_id=patient.id, text="Exercice : patient installé.")
        assert session.conn.execute("SELECT drill FROM entries WHERE uuid = ?",
                                    (entry.uuid,)).fetchone()[0] == 1
        sheet = render_sheet(session, SheetRequest("mar", patient_ids=(patient.id,)))
    pages = PdfReader(io.BytesIO(sheet.pdf)).pages
    assert all("EXERCICE" in page.extract_text() for page in pages)


def test_the_drill_report_lists_timings_participants_and_failures(drill, cache):
    with _drill_login(drill, clock=cache.clock) as session:
        record_step(session, DrillStep.LOGIN, 12)
        record_step(session, DrillStep.FIND_PATIENT, 95, note="recherche par chambre")
        record_step(session, DrillStep.PRINT_MAR, 40, ok=False, note="imprimante hors ligne")
        with pytest.raises(BadInput):
            record_step(session, DrillStep.RECORD_DOSE, -3)
        pdf = finish_drill(session)
    text = _text(pdf)
    for expected in ("Inès Martin", "Hugo Petit", "imprimante hors ligne", "ÉCHEC",
                     "trop lent", "non fait", "12 s", "1 min 35 s", "EXERCICE"):
        assert expected in text, expected


def test_steps_are_refused_in_a_real_cache(cache):
    with cache.login("nurse") as session, pytest.raises(BadInput):
        record_step(session, DrillStep.LOGIN, 10)


def test_a_drill_cannot_be_built_beside_the_real_cache(cache):
    with cache.login("admin") as real, pytest.raises(BadInput):
        start_drill(real, cache.path.parent, participants=["X"])


def test_the_first_report_closes_the_drill_and_a_second_is_the_same(drill, cache):
    """A step recorded after the report used to slip into the next report."""
    with _drill_login(drill, clock=cache.clock) as session:
        record_step(session, DrillStep.LOGIN, 12)
        first = _text(finish_drill(session))
        cache.clock.advance(minutes=30)
        with pytest.raises(BadInput, match="terminé"):
            record_step(session, DrillStep.FIND_PATIENT, 20)
        again = _text(finish_drill(session))
        finished = session.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'drill_finished'").fetchone()[0]
    assert again == first  # same finish time, same steps
    assert finished == 1
