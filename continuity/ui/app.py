"""Starting the desktop app: one QApplication, the look, Qt's own French, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from continuity.core.clock import Clock
from continuity.core.i18n import language
from continuity.resources import resource
from continuity.ui import style
from continuity.ui.main_window import MainWindow

APP_NAME = "Continuity"
#: Set (to anything) to quit as soon as the first window is shown: the start-up benchmark.
EXIT_AFTER_SHOW_ENV = "CONTINUITY_EXIT_AFTER_SHOW"


def application() -> QApplication:
    """The process's QApplication, created and configured once."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if not app.property("continuity_configured"):
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_NAME)
        app.setDesktopFileName("continuity")
        icon = resource("icons", "continuity.png")
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
        _install_qt_translation(app)
        style.configure(app)
        app.setProperty("continuity_configured", True)
    return app


def _install_qt_translation(app: QApplication) -> None:
    """Qt's own texts (context menus, calendar) in the app's language; dates stay dd/mm/yyyy."""
    lang = language()
    QLocale.setDefault(
        QLocale(
            QLocale.Language.French if lang == "fr" else QLocale.Language.English,
            QLocale.Country.France,
        )
    )
    if lang == "en":
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(translator)


def run_app(db_path: Path, *, clock: Clock | None = None) -> int:
    """Open the app on the cache at `db_path` (log-in page, or first-run help if absent)."""
    from continuity.ui.drill_dialogs import DRILL_WINDOW_ENV

    app = application()
    window = MainWindow(Path(db_path), clock, drill_hint=os.environ.get(DRILL_WINDOW_ENV) == "1")
    window.resize(1366, 768)
    window.show()
    if os.environ.get(EXIT_AFTER_SHOW_ENV):
        QTimer.singleShot(0, app.quit)
    return int(app.exec())
