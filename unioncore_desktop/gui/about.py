"""Help → About: version, hall, server and schema, so a support call starts with the facts."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from unioncore_desktop import __version__
from unioncore_desktop.db.preflight import Preflight
from unioncore_desktop.gui.forms.ui_about_dialog import Ui_AboutDialog


class AboutDialog(QDialog):
    def __init__(self, facts: Preflight, server: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_AboutDialog()
        self.form.setupUi(self)
        self.form.versionLabel.setText(__version__)
        self.form.hallLabel.setText(facts.hall_name)
        self.form.serverLabel.setText(f"{server} · PostgreSQL {facts.server_version} · {facts.database}")
        self.form.schemaLabel.setText(f"{facts.revision} (this build: {facts.head})")
        roles = ", ".join(sorted(r.replace("_", " ") for r in facts.roles))
        self.form.userLabel.setText(f"{facts.full_name} ({facts.user}) — {roles}")
