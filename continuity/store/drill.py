"""Drill mode: rehearse the outage on a separate cache, timed, with a report for the auditor.

A drill never touches the real cache: it builds its own cache from the demo hospital in a
folder of its own, marked `drill` in its settings. Everything recorded there is marked as drill
(entries.drill = 1), every printed page carries the "EXERCICE" band, exports say "drill" and
the merge refuses them. The real cache only logs that a drill was started, by whom.

Steps (log in, find a patient, print a MAR, record a dose, export) are timed by the app or typed
in from a stopwatch with the CLI; the report lists the timings, who took part, what failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from continuity.core.clock import Clock, from_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session

DRILL_SETTING = "drill"
PARTICIPANTS_SETTING = "drill.participants"
STARTED_SETTING = "drill.started_at"
ORIGIN_SETTING = "drill.origin_device"
#: Set by the first report: the drill is over, its report can be printed again, unchanged.
FINISHED_SETTING = "drill.finished_at"


class DrillStep(StrEnum):
    LOGIN = "login"
    FIND_PATIENT = "find_patient"
    PRINT_MAR = "print_mar"
    RECORD_DOSE = "record_dose"
    EXPORT = "export"


#: What a ward should manage in a drill (seconds): the report compares each step with it.
STEP_TARGETS = {
    DrillStep.LOGIN: 30,
    DrillStep.FIND_PATIENT: 30,
    DrillStep.PRINT_MAR: 60,
    DrillStep.RECORD_DOSE: 60,
    DrillStep.EXPORT: 300,
}


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated where it is shown."""
    return message


STEP_NAMES = {
    DrillStep.LOGIN: N_("Log in"),
    DrillStep.FIND_PATIENT: N_("Find a patient"),
    DrillStep.PRINT_MAR: N_("Print a MAR"),
    DrillStep.RECORD_DOSE: N_("Record a dose"),
    DrillStep.EXPORT: N_("Export the entries"),
}


def step_label(step: DrillStep, tr: Callable[[str], str] = _) -> str:
    return tr(STEP_NAMES[step])


def is_drill(session: Session) -> bool:
    return session.setting(DRILL_SETTING) == "1"


@dataclass(frozen=True)
class DrillCache:
    path: Path
    started_at: datetime
    participants: tuple[str, ...]


def start_drill(
    real: Session,
    folder: Path,
    *,
    participants: list[str],
    patients: int = 60,
    clock: Clock | None = None,
) -> DrillCache:
    """Build a drill cache in `folder` (IT); the real cache only logs the start."""
    from continuity.demo.provision import DEMO_USERS, build_demo_cache, demo_db_path
    from continuity.store.cache import login

    real.require(Permission.MANAGE_DEVICE)
    names = tuple(p.strip() for p in participants if p.strip())
    if not names:
        raise BadInput(_("Name at least one participant of the drill."))
    folder = folder.resolve()
    if folder == real.path.resolve().parent:
        raise BadInput(_("A drill needs a folder of its own, away from the real cache."))
    if demo_db_path(folder).exists():
        raise BadInput(_("A drill cache already exists in this folder; choose another one."))
    clock = clock or real.clock
    path = build_demo_cache(folder, patients=patients, clock=clock)
    admin = DEMO_USERS[0]
    started = clock.now()
    with login(path, admin.login, admin.password, clock=clock) as drill:
        with drill.transaction() as conn:
            for key, value in (
                (DRILL_SETTING, "1"),
                (PARTICIPANTS_SETTING, json.dumps(names, ensure_ascii=False)),
                (STARTED_SETTING, started.isoformat()),
                (ORIGIN_SETTING, real.device.name),
            ):
                conn.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
                )
            drill.audit("drill_started", {"participants": list(names)})
    real.audit("drill_started", {"folder": str(folder), "participants": list(names)})
    return DrillCache(path, started, names)


def is_finished(session: Session) -> bool:
    """Whether this drill's report was written (it then records no more steps)."""
    return bool(session.setting(FINISHED_SETTING))


def record_step(
    session: Session, step: DrillStep | str, seconds: float, *, ok: bool = True, note: str = ""
) -> None:
    """A timed step of the drill, by whoever did it (kept in the drill cache's audit log)."""
    if not is_drill(session):
        raise BadInput(_("This is not a drill cache: drill steps are recorded only in a drill."))
    if is_finished(session):
        raise BadInput(
            _("This drill is finished (its report was written): start a new drill to go on.")
        )
    step = DrillStep(step)
    if not 0 <= seconds < 24 * 3600:
        raise BadInput(_("A step's duration must be between 0 s and 24 h."))
    session.audit(
        "drill_step",
        {"step": step.value, "seconds": round(seconds, 1), "ok": ok, "note": note.strip()},
    )


@dataclass(frozen=True)
class StepResult:
    step: DrillStep
    seconds: float
    ok: bool
    note: str
    by: str
    at: datetime

    @property
    def within_target(self) -> bool:
        return self.ok and self.seconds <= STEP_TARGETS[self.step]


@dataclass(frozen=True)
class DrillSummary:
    site: str
    device: str
    origin_device: str
    started_at: datetime
    finished_at: datetime
    participants: tuple[str, ...]
    steps: tuple[StepResult, ...]
    entries: int
    sheets: int

    @property
    def missing_steps(self) -> list[DrillStep]:
        done = {s.step for s in self.steps}
        return [s for s in DrillStep if s not in done]

    @property
    def failures(self) -> list[StepResult]:
        return [s for s in self.steps if not s.ok]


def summarise(session: Session) -> DrillSummary:
    if not is_drill(session):
        raise BadInput(_("This is not a drill cache: drill steps are recorded only in a drill."))
    steps = []
    for actor, at, detail in session.conn.execute(
        "SELECT actor, at, detail FROM audit_log WHERE action = 'drill_step' ORDER BY id"
    ):
        d = json.loads(detail)
        steps.append(
            StepResult(
                DrillStep(d["step"]),
                float(d["seconds"]),
                bool(d["ok"]),
                d.get("note", ""),
                actor,
                from_iso(at),
            )
        )
    count = session.conn.execute
    return DrillSummary(
        site=session.device.site_name,
        device=session.device.name,
        origin_device=session.setting(ORIGIN_SETTING, "") or "",
        started_at=datetime.fromisoformat(
            session.setting(STARTED_SETTING) or session.now().isoformat()
        ),
        finished_at=datetime.fromisoformat(
            session.setting(FINISHED_SETTING) or session.now().isoformat()
        ),
        participants=tuple(json.loads(session.setting(PARTICIPANTS_SETTING, "[]") or "[]")),
        steps=tuple(steps),
        entries=count("SELECT count(*) FROM entries").fetchone()[0],
        sheets=count("SELECT count(*) FROM printed_sheets").fetchone()[0],
    )


def finish_drill(session: Session, *, lang: str = "fr") -> bytes:
    """The drill report (PDF bytes): timings, participants, what failed; logged in the drill.
    The first report closes the drill (no more steps); asked again, it is the same report."""
    from continuity.printing.drill_report import render_drill_report

    summary = summarise(session)
    pdf = render_drill_report(summary, lang=lang)
    if not session.setting(FINISHED_SETTING):  # the first report closes the drill
        with session.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)",
                (FINISHED_SETTING, summary.finished_at.isoformat()),
            )
            session.audit(
                "drill_finished",
                {"steps": len(summary.steps), "failures": len(summary.failures)},
            )
    return pdf
