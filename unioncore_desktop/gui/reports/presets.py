"""The Reports screen's presets: a staff member's named parameters for the chosen report, picked from a combo to
fill the form; Save…, Update, Rename…, Delete and Set as default beside it. The default is applied when its report is
chosen. Each login has only its own presets (the database holds that: migration 0027)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import report_presets
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.report_presets import PresetList, PresetRow
from unioncore_desktop.domain.rules.report_presets import NAME_LENGTH, preset_name_errors
from unioncore_desktop.gui import events, messages, theme
from unioncore_desktop.gui.reports import preset_params
from unioncore_desktop.gui.reports.catalog import Params
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard

# the form's date fields as the printed parameters name them, for the save dialog's "dates kept" line
DATE_CAPTIONS = {"day": "Day", "start": "From", "end": "To", "first_month": "From month", "last_month": "To month",
                 "first_day": "From", "last_day": "To", "at": "As it stood"}
DATE_FIELDS_OF_KIND = {"day": ("day",), "range": ("start", "end"), "months": ("first_month", "last_month"),
                       "day_range": ("first_day", "last_day"), "moment": ("at",)}


def date_fields(kinds: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f for kind in kinds for f in DATE_FIELDS_OF_KIND.get(kind, ()))


class PresetDialog(QDialog):
    """The name of a new preset (with how its dates are kept and whether it is the default), or a new name for
    one. Closes only when the save succeeded; a refused name is said under the field and the text stays."""

    def __init__(self, parent: QWidget, *, title: str, taken: list[str], submit: Callable[[PresetDialog], None],
                 preset: PresetRow | None = None, params: Params | None = None, today: date | None = None,
                 fields: frozenset[str] = frozenset()) -> None:
        super().__init__(parent)
        self.setObjectName("presetDialog")
        self.setWindowTitle(title)
        self.taken, self.submit, self.preset = taken, submit, preset
        self.params, self.today, self.fields = params, today, fields
        self.name = QLineEdit(preset.name if preset else "")
        self.name.setObjectName("presetName")
        self.name.setMaxLength(NAME_LENGTH)
        self.name.setPlaceholderText(self.tr("e.g. Wire books, 14 days"))
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet(f"color: {theme.css('#B3261E')};")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.relative = QCheckBox(self.tr("Keep &dates relative to the day the report is run"))
        self.relative.setChecked(True)
        self.relative.setToolTip(self.tr("On: today stays today, the 1st of this month stays the 1st of the month "
                                         "the report is run in. Off: the dates shown now, always."))
        self.default = QCheckBox(self.tr("&Fill the form with it whenever I choose this report (my default)"))
        self.kept = QLabel()
        self.kept.setObjectName("keptDates")
        self.kept.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name)
        form.addRow("", self.error)
        is_new = preset is None
        if is_new:
            form.addRow("", self.relative)
            form.addRow("", self.default)
            form.addRow(self.tr("Dates kept"), self.kept)
            self.relative.toggled.connect(lambda _on: self._show_kept())
            self._show_kept()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.discard_guard = DiscardGuard(self, self.tr("the preset's name"))
        self.resize(460, self.sizeHint().height())

    def kept_parameters(self) -> dict[str, object]:
        assert self.params is not None and self.today is not None  # a new preset's dialog
        return preset_params.keep(self.params, self.today, relative=self.relative.isChecked())

    def _show_kept(self) -> None:
        if self.params is None or self.today is None:
            return
        dates = preset_params.kept_dates(self.kept_parameters(), self.fields)
        self.kept.setText("; ".join(f"{self.tr(DATE_CAPTIONS.get(n, n))}: {text}" for n, text in dates)
                          if dates else self.tr("This report asks for no dates."))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.name.setFocus()
        self.buttons.setEnabled(True)

    def accept(self) -> None:
        errors = preset_name_errors(self.name.text(), self.taken,
                                    keeping=self.preset.name if self.preset else None)
        if errors:
            self.show_error(self.tr(errors["name"]))
            return
        self.error.clear()
        self.error.setVisible(False)
        self.buttons.setEnabled(False)  # one save at a time; a refusal gives the buttons back
        self.submit(self)

    def saved(self) -> None:
        super().accept()

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()


class PresetBar(QWidget):
    """The preset combo and its buttons, for the report the screen shows (`set_report`)."""

    applied = Signal(object, frozenset, str)  # Params, the fields the preset holds, the preset's name
    loaded = Signal()  # the presets arrived (tests wait on it)

    def __init__(self, runner: TaskRunner, hall: HallConnection, current_params: Callable[[], Params],
                 parent: QWidget | None = None, *, active: bool = True) -> None:
        """`active` False: the login runs no reports (and holds no grant on presets), so nothing is read."""
        super().__init__(parent)
        self.active = active
        self.runner, self.hall, self.current_params = runner, hall, current_params
        self.report: str | None = None
        self.report_fields: tuple[str, ...] = ()
        self.presets: PresetList | None = None
        self.dialog: PresetDialog | None = None
        self._form_ready = False  # the screen's books and dates are in: a preset may fill them
        self._default_due: str | None = None  # a report just chosen whose default is not applied yet
        self._select_after: int | None = None
        self._writing = False  # a change to a preset is out: its row's version is stale until the reload

        self.combo = QComboBox()
        self.combo.setObjectName("presetPicker")
        self.combo.setMinimumContentsLength(24)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip(self.tr("Fill the form from one of your saved presets"))
        self.combo.activated.connect(self._on_combo_activated)
        self.combo.currentIndexChanged.connect(lambda _i: self._enable())
        self.save_button = QPushButton(self.tr("Save…"))
        self.save_button.setToolTip(self.tr("Keep the parameters below under a name of yours"))
        self.update_button = QPushButton(self.tr("Update"))
        self.update_button.setToolTip(self.tr("Keep the parameters below in the preset picked, under its name"))
        self.rename_button = QPushButton(self.tr("Re&name…"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.default_button = QPushButton(self.tr("Set as defa&ult"))
        self.default_button.setToolTip(self.tr("Fill the form from this preset whenever you choose the report"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.update_button.clicked.connect(self._on_update_button_clicked)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.default_button.clicked.connect(self._on_default_button_clicked)
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.combo)
        for button in (self.save_button, self.update_button, self.rename_button, self.delete_button,
                       self.default_button):
            line.addWidget(button)
        line.addStretch(1)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._enable()
        self.reload()

    # --- loading --------------------------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.active:
            return
        self.runner.query(partial(report_presets.presets, self.hall), parent=self, key=("report-presets", id(self)),
                          success=self._on_presets_loaded, name="report presets")

    def _on_presets_loaded(self, presets: PresetList) -> None:
        self.presets = presets
        self._writing = False
        self._fill()
        self.loaded.emit()
        self._apply_default_when_due()

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == "report_preset":
            self.reload()

    def form_ready(self) -> None:
        """The screen's books and dates have arrived: a default waiting for them is applied now."""
        self._form_ready = True
        self._apply_default_when_due()

    def set_report(self, key: str | None, fields: tuple[str, ...] = ()) -> None:
        """The report the screen now shows; its default preset, if any, fills the form."""
        self.report, self.report_fields = key, fields
        self._default_due = key
        self._fill()
        self._apply_default_when_due()

    def _apply_default_when_due(self) -> None:
        if self._default_due is None or self.presets is None or not self._form_ready:
            return
        report, self._default_due = self._default_due, None
        default = self.presets.default_of(report) if report == self.report else None
        if default is not None:
            self.combo.setCurrentIndex(self.combo.findData(default.id))
            self._apply(default)

    def _fill(self) -> None:
        chosen = self._select_after if self._select_after is not None else self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("(no preset)"), None)
        for row in self.mine():
            self.combo.addItem(self.tr("{} (default)").format(row.name) if row.is_default else row.name, row.id)
        index = self.combo.findData(chosen) if chosen is not None else 0
        if index >= 0:  # a preset just saved is selected once its reload shows it
            self._select_after = None
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._enable()

    def mine(self) -> list[PresetRow]:
        """The presets of the report shown."""
        return self.presets.of(self.report) if self.presets is not None and self.report else []

    def current(self) -> PresetRow | None:
        chosen = self.combo.currentData()
        return next((p for p in self.mine() if p.id == chosen), None)

    def _enable(self) -> None:
        picked = self.current()
        self.save_button.setEnabled(self.report is not None and self.presets is not None)
        for button in (self.update_button, self.rename_button, self.delete_button, self.default_button):
            button.setEnabled(picked is not None and not self._writing)
        self.default_button.setText(self.tr("No longer defa&ult") if picked is not None and picked.is_default
                                    else self.tr("Set as defa&ult"))

    # --- using a preset -------------------------------------------------------------------------------------

    def _on_combo_activated(self, _index: int) -> None:
        picked = self.current()
        if picked is not None:
            self._apply(picked)

    def _apply(self, preset: PresetRow) -> None:
        assert self.presets is not None
        restored = preset_params.restore(preset.parameters, self.presets.today)
        self.applied.emit(restored.params, restored.given - set(restored.problems), preset.name)

    # --- changing presets -----------------------------------------------------------------------------------

    def _on_save_button_clicked(self) -> None:
        if self.report is None or self.presets is None:
            return
        report = self.report
        self._open_dialog(PresetDialog(
            self, title=self.tr("Save preset"), taken=[p.name for p in self.mine()],
            params=self.current_params(), today=self.presets.today, fields=date_fields(self.report_fields),
            submit=lambda dialog: self._command(
                dialog, partial(report_presets.save, self.hall, report, dialog.name.text(),
                                dialog.kept_parameters(), is_default=dialog.default.isChecked()))))

    def _on_rename_button_clicked(self) -> None:
        picked = self.current()
        if picked is None:
            return
        self._open_dialog(PresetDialog(
            self, title=self.tr("Rename preset"), preset=picked, taken=[p.name for p in self.mine()],
            submit=lambda dialog: self._command(
                dialog, partial(report_presets.rename, self.hall, picked, dialog.name.text()))))

    def _open_dialog(self, dialog: PresetDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _command(self, dialog: PresetDialog, action: Callable[[], object]) -> None:
        def saved(row: PresetRow) -> None:
            self._select_after = row.id
            self._fill()  # the reload the change started will show it; select it now if it is there
            dialog.saved()

        def refused(exc: BaseException) -> None:
            # a refusal is said under the name; the runner reports a lost connection or a bug itself
            if isinstance(exc, DomainError):
                dialog.show_error(exc.message)
            else:
                dialog.buttons.setEnabled(True)

        self.runner.command(action, parent=dialog, success=saved, failure=refused, name="save report preset")

    def _on_update_button_clicked(self) -> None:
        picked = self.current()
        if picked is None or self.presets is None or not messages.question(
                self, self.tr("Update preset"),
                self.tr("Keep the parameters shown now in your preset “{}”?").format(picked.name)):
            return
        kept = preset_params.keep(self.current_params(), self.presets.today,
                                  relative=preset_params.kept_relative(picked.parameters))
        self._select_after = picked.id
        self._write(partial(report_presets.replace_parameters, self.hall, picked, kept), "update report preset")

    def _on_delete_button_clicked(self) -> None:
        picked = self.current()
        if picked is None or not messages.question(
                self, self.tr("Delete preset"), self.tr("Delete your preset “{}”?").format(picked.name)):
            return
        self._write(partial(report_presets.delete, self.hall, picked), "delete report preset")

    def _on_default_button_clicked(self) -> None:
        picked = self.current()
        if picked is None:
            return
        self._select_after = picked.id
        self._write(partial(report_presets.set_default, self.hall, picked, not picked.is_default),
                    "default report preset")

    def _write(self, action: Callable[[], object], name: str) -> None:
        """One change to the picked preset; its buttons wait for the reload that brings the row's new version,
        so a second click never sends the version the first change made stale."""
        self._writing = True
        self._enable()

        def refused(error: BaseException) -> None:
            if isinstance(error, DomainError):
                messages.warning(self, self.tr("Not saved"), error.message)
            self.reload()

        self.runner.command(action, parent=self, failure=refused, name=name)
