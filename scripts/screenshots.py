"""Screenshots of the app's main screens on the demo hospital, for a person to look at.

    python scripts/screenshots.py /tmp/shots [--patients 60] [--lang fr]

Runs under Xvfb at 1366x768 (the cheap ward laptop): started through `xvfb-run` when there is
no display. The demo cache lives in a private temporary folder removed at the end; the clock
is fixed a little after the demo's "data as of", so doses are due, late and missed as on a
real morning. PNGs of screens hold synthetic patients only; never commit them anyway.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WIDTH, HEIGHT = 1366, 768
AS_OF = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)  # 07:30 in Paris
NOW = AS_OF + timedelta(hours=1, minutes=50)  # 09:20 in Paris: the 08:00 round is late


def _under_display(argv: list[str]) -> int | None:
    """Re-run under xvfb-run when there is no display; None when one is already there."""
    if os.environ.get("DISPLAY") or os.environ.get("CONTINUITY_SCREENSHOTS_CHILD"):
        return None
    runner = shutil.which("xvfb-run")
    if runner is None:
        sys.exit("No display and no xvfb-run: apt-get install -y xvfb xauth")
    env = dict(os.environ, CONTINUITY_SCREENSHOTS_CHILD="1", QT_QPA_PLATFORM="xcb")
    command = [
        runner,
        "-a",
        "-s",
        f"-screen 0 {WIDTH}x{HEIGHT}x24",
        sys.executable,
        str(Path(__file__).resolve()),
        *argv,
    ]
    return subprocess.call(command, env=env)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--patients", type=int, default=60)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    args = parser.parse_args(argv)
    code = _under_display(argv)
    if code is not None:
        return code
    os.environ["CONTINUITY_LANG"] = args.lang
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="continuity-shots-") as tmp:
        return Shooter(args.out, Path(tmp), args.patients).run()


def alive(widget) -> bool:
    """False once Qt has deleted a dialog that closed itself (WA_DeleteOnClose)."""
    import shiboken6

    return shiboken6.isValid(widget)


class Shooter:
    def __init__(self, out: Path, folder: Path, patients: int) -> None:
        self.out = out
        self.folder = folder
        self.patients = patients
        self.saved: list[Path] = []

    def run(self) -> int:
        from continuity.core.clock import FixedClock
        from continuity.demo.provision import DEMO_USERS, build_demo_cache
        from continuity.ui.app import application
        from continuity.ui.main_window import MainWindow

        self.clock = FixedClock(AS_OF)
        path = build_demo_cache(self.folder / "demo", patients=self.patients, clock=self.clock)
        self.clock.set(NOW)
        self.app = application()
        self.nurse = next(u for u in DEMO_USERS if u.role == "nurse")

        first = MainWindow(self.folder / "nowhere" / "cache.db", self.clock)
        self.show(first)
        self.shoot(first, "01-first-run")
        first.close()

        window = MainWindow(path, self.clock, idle_check_ms=3_600_000)
        self.window = window
        self.show(window)
        window.login_page.user_edit.setText(self.nurse.login)
        window.login_page.password_edit.setText("wrong-password-1A")
        window.login_page.login_button.click()
        self.settle()
        self.shoot(window, "02-login-wrong-password")
        window.login_page.user_edit.setText(self.nurse.login)
        window.login_page.password_edit.setText(self.nurse.password)
        window.login_page.login_button.click()
        self.settle()
        self.shoot(window, "03-census")

        patient = self.interesting_patient()
        window.census_page.search_edit.setText(patient.family[:4].lower())
        self.settle()
        self.shoot(window, "04-census-search")
        window.census_page.search_edit.clear()

        window.open_chart(patient.id)
        self.settle()
        self.shoot(window, "05-chart-mar")
        window.chart_page.tabs.setCurrentIndex(1)
        self.settle()
        self.shoot(window, "06-chart-orders")
        window.chart_page.tabs.setCurrentIndex(0)

        dialog = self.open_dose_dialog()
        if dialog is not None:
            self.shoot(window, "07-dose-dialog")
            dialog.save_button.click()
            self.settle()
            self.shoot(window, "08-dose-dialog-after-save")
            if alive(dialog) and dialog.isVisible() and dialog.witness_login.isVisible():
                witness = next(u for u in DEMO_USERS if u.role == "nurse" and u != self.nurse)
                dialog.witness_login.setText(witness.login)
                dialog.witness_password.setText(witness.password)
                dialog.save_button.click()
                self.settle()
            if alive(dialog) and dialog.isVisible():
                dialog.save_button.click()  # confirm what the safety check asked
            self.settle()
            if alive(dialog) and dialog.isVisible():
                dialog.reject()
            self.settle()
            self.shoot(window, "09-chart-mar-after-dose")

        vitals = window.chart_page.record("vitals")
        self.settle()
        self.shoot(window, "10-vitals-dialog")
        vitals.reject()

        window.show_schedules()
        window.schedules_page.kind_combo.setCurrentIndex(1)
        self.settle()
        self.shoot(window, "11-schedules-or")

        self.print_preview(patient.id)

        window.lock()
        self.settle()
        self.shoot(window, "13-lock-screen")

        window.log_out()
        admin = DEMO_USERS[0]
        window.log_in(admin.login, admin.password)
        self.settle()
        from continuity.ui.audit_dialog import AuditDialog

        audit = AuditDialog(window.session, window)
        audit.open()
        self.settle()
        self.shoot(window, "14-it-audit")
        audit.accept()
        self.it_tools()
        drill = self.start_drill()
        window.close()
        if drill is not None:
            self.drill_window(drill)
        print("\n".join(str(p) for p in self.saved))
        return 0

    # -- IT tools and drills -----------------------------------------------------------------
    def it_tools(self) -> None:
        from continuity.ui.readiness_panel import open_panel
        from continuity.ui.settings_dialog import open_settings

        window = self.window
        panel = open_panel(window)
        self.settle()
        self.shoot(window, "15-it-readiness")
        panel.accept()
        dialog = open_settings(window)
        self.settle()
        self.shoot(window, "16a-it-settings")
        dialog.fields["idle_lock_minutes"].setText("0")
        dialog.save()
        self.settle()
        self.shoot(window, "16b-it-settings-refused")
        dialog.reject()
        from continuity.ui import menus

        menus._about(window)
        self.settle()
        self.shoot(window, "17-about")
        window.about_box.accept()
        self.settle()

    def start_drill(self):
        from continuity.ui import drill_dialogs

        window = self.window
        dialog = drill_dialogs.ask_start(window)
        dialog.participants.setPlainText("Inès Martin\nHugo Petit")
        self.settle()
        self.shoot(window, "18-drill-start")
        dialog.folder_edit.setText(str(self.folder / "drill"))
        dialog.build_button.click()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.settle(0.1)
            flow = window.drill_flow
            if flow is not None and (flow.ready is not None or dialog.error.isVisible()):
                break
        self.settle(0.5)
        self.shoot(window, "19-drill-ready")
        flow = window.drill_flow
        if flow is None or flow.ready is None:
            return None
        flow.ready.reject()
        self.settle()
        return flow.drill

    def drill_window(self, drill) -> None:
        from continuity.demo.provision import DEMO_USERS
        from continuity.ui.main_window import MainWindow

        window = MainWindow(drill.path, self.clock, idle_check_ms=3_600_000, drill_hint=True)
        self.window = window
        self.show(window)
        self.shoot(window, "20-drill-login")
        window.log_in(self.nurse.login, self.nurse.password)
        self.settle()
        self.shoot(window, "21-drill-census")
        window.open_chart(self.interesting_patient().id)
        self.settle()
        self.shoot(window, "22-drill-chart")
        window.log_out()
        admin = DEMO_USERS[0]
        window.log_in(admin.login, admin.password)
        self.settle()
        from continuity.ui import drill_dialogs

        preview = drill_dialogs.finish(window)
        self.settle(0.8)
        self.shoot(window, "23-drill-report")
        if preview is not None and alive(preview):
            preview.accept()
        window.close()

    # -- helpers ---------------------------------------------------------------------------
    def show(self, window) -> None:
        window.resize(WIDTH, HEIGHT)
        window.move(0, 0)
        window.show()
        self.settle()

    def settle(self, seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def shoot(self, window, name: str) -> None:
        """The whole screen, so dialogs over the window are in the picture too."""
        self.settle()
        screen = self.app.primaryScreen()
        image = screen.grabWindow(0, 0, 0, WIDTH, HEIGHT)
        target = self.out / f"{name}.png"
        image.save(str(target))
        self.saved.append(target)

    def interesting_patient(self):
        """A patient with an allergy and a high-alert drug: the chart shows everything."""
        rows = self.window.census_page.model.rows
        for row in rows:
            if row.allergies and row.patient.high_alert_orders:
                return row.patient
        return rows[0].patient

    def open_dose_dialog(self):
        """The first dose due or late on the eMAR, as a nurse would click it."""
        view = self.window.chart_page.mar_view
        model = view.model
        for wanted in ("late", "due", "missed", "future"):
            for r in range(model.rowCount()):
                for c in range(1, model.columnCount() - 1):
                    target = model.target(model.index(r, c))
                    if target is not None and target.state == wanted:
                        view.table.setCurrentIndex(model.index(r, c))
                        dialog = self.window.chart_page.open_dose(target)
                        self.settle()
                        return dialog
        return None

    def print_preview(self, patient_id: str) -> None:
        from continuity.printing.request import SheetKind
        from continuity.ui import print_menu

        window = self.window
        window.open_chart(patient_id)
        dialog = print_menu.ask(window, SheetKind.MAR)
        self.settle()
        self.shoot(window, "12a-print-dialog")
        dialog.accept()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.settle(0.1)
            flow = window.print_flow
            if flow is not None and flow.preview is not None:
                break
        self.settle(0.8)
        self.shoot(window, "12b-print-preview")
        if window.print_flow and window.print_flow.preview:
            window.print_flow.preview.accept()
        self.settle()


if __name__ == "__main__":
    sys.exit(main())
