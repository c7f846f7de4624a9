"""The labor request entry form: keyboard-first, type-ahead for employer, worksite and foreperson, a message
beside each field, and the R9/R11 consequences (short call, no-mark reasons) shown as they are typed.

The form reads what was typed and checks it with the domain's own rules (domain/rules/requests.py); the service
decides again, with the employer, book and foreperson looked up, when the request is saved."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.queries.books import BookSummary
from unioncore_desktop.domain.queries.requests import RequestDetail
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.referral import starts_early
from unioncore_desktop.domain.rules.requests import (
    DERIVED_NO_MARK,
    RequestInput,
    normalize_start_time,
    request_errors,
    start_date_errors,
)
from unioncore_desktop.domain.vocab import NO_MARK_REASONS
from unioncore_desktop.gui.requests.form_reading import (
    read_pick,
    read_start_time,
    read_wage,
    read_worksite,
    split_list,
    typed_worksite,
)
from unioncore_desktop.gui.widgets.date_text import parse_date
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label
from unioncore_desktop.gui.widgets.name_combo import NameCombo
from unioncore_desktop.gui.widgets.type_ahead import Choice, ChoiceSearch, TypeAhead
from unioncore_desktop.gui.widgets.typed_work import ask_discard

NO_MARK_LABELS = {
    "specialty_skill": "Specialty skill outside the agreement",
    "mou_jobsite": "MOU jobsite",
    "early_start": "Starts before 06:00 (automatic, from the start time)",
    "under_scale": "Under-scale work",
    "various_locations": "Various locations",
    "short_call": "Short call (automatic, from the duration)",
    "employer_rejection": "Employer rejection of the member",
}


STACK_MARGIN = 32  # px


class RequestForm(QWidget):
    """Enter or edit one labor request. Enter saves (`submitted`); Esc clears (`cleared`), asking first when
    something typed would be lost."""

    submitted = Signal()
    cleared = Signal()
    employer_chosen = Signal(object)  # int | None

    def __init__(self, search_employers: ChoiceSearch, search_members: ChoiceSearch,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.books: list[BookSummary] = []
        self.rules: dict[int, RuleSet] = {}
        self.today: date | None = None  # the hall's, from the server (set_books)
        self.saved_start: date | None = None  # the start date of the request being edited
        self.message = message_label()

        self._make_job_editors(search_employers)
        no_mark_group = self._make_no_mark_group()
        self._make_terms_editors(search_members)
        self.editors = {
            "employer_id": self.employer, "worksite_id": self.worksite, "book_id": self.book,
            "job_class": self.job_class, "workers_requested": self.workers, "wage": self.wage,
            "start_on": self.start_on, "start_time": self.start_time, "duration_days": self.duration,
            "no_mark_reasons": no_mark_group, "requirements": self.requirements,
            "by_name_member_id": self.by_name, "by_name_attested": self.attested, "bidding": self.bidding,
            "report_to": self.report_to, "comments": self.comments,
        }
        self.errors = FieldErrors(self.message, self.editors)

        self._lay_out(no_mark_group)
        self._set_tab_order()
        self._update_consequences()
        self._loaded = self.raw()

    # --- building -----------------------------------------------------------------------------------------

    def _make_job_editors(self, search_employers: ChoiceSearch) -> None:
        self.employer = TypeAhead(search_employers)
        self.employer.setObjectName("employer")
        self.employer.setPlaceholderText(self.tr("Type the employer's name"))
        self.employer.chosen_changed.connect(self._on_employer_chosen_changed)
        self.worksite = QComboBox()
        self.worksite.setObjectName("worksite")
        self.worksite.setEditable(True)
        self.worksite.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer, line_edit = self.worksite.completer(), self.worksite.lineEdit()
        assert completer is not None and line_edit is not None  # an editable combo box has both
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.worksite.addItem("", None)
        line_edit.setPlaceholderText(self.tr("type part of the worksite's name (blank: none)"))
        line_edit.editingFinished.connect(self._on_worksite_editing_finished)
        # The completer popup eats the line edit's focus-out, so leaving the field is caught app-wide.
        cast(QApplication, QApplication.instance()).focusChanged.connect(self._on_app_focus_changed)
        self.book = NameCombo()
        self.book.setObjectName("book")
        self.book.currentIndexChanged.connect(self._update_consequences)
        self.job_class = QLineEdit()
        self.job_class.setPlaceholderText(self.tr("e.g. Journeyman wireperson"))
        self.workers = QSpinBox()
        self.workers.setRange(1, 500)
        self.wage = QLineEdit()
        self.wage.setPlaceholderText(self.tr("per hour, e.g. 58.25"))
        self.start_on = QLineEdit()
        self.start_on.setPlaceholderText(self.tr("YYYY-MM-DD or MM/DD"))
        self.start_time = QLineEdit()
        self.start_time.setPlaceholderText(self.tr("HH:MM, e.g. 07:00"))
        self.start_time.textChanged.connect(self._update_consequences)
        self.duration = QLineEdit()
        self.duration.setPlaceholderText(self.tr("business days (blank: unknown)"))
        self.duration.setValidator(QIntValidator(1, 9999, self))
        self.duration.textChanged.connect(self._update_consequences)
        self.call_kind = QLabel()
        self.call_kind.setObjectName("callKind")
        self.call_kind.setWordWrap(True)

    def _make_no_mark_group(self) -> QGroupBox:
        """The R11 reasons as check boxes; the derived ones are ticked by the form, never by hand."""
        self.no_mark_boxes: dict[str, QCheckBox] = {}
        no_mark_group = QGroupBox(self.tr("No check marks on this request because (R11)"))
        no_mark_layout = QGridLayout(no_mark_group)
        no_mark_layout.setVerticalSpacing(2)
        for i, reason in enumerate(NO_MARK_REASONS):
            box = QCheckBox(self.tr(NO_MARK_LABELS[reason]))
            box.setObjectName(f"no_mark_{reason}")
            if reason in DERIVED_NO_MARK:
                box.setEnabled(False)
                box.setToolTip(self.tr("Ticked automatically from the request's own fields."))
            self.no_mark_boxes[reason] = box
            no_mark_layout.addWidget(box, i // 2, i % 2)
        self.marks_note = QLabel()
        self.marks_note.setObjectName("marksNote")
        self.marks_note.setWordWrap(True)
        no_mark_layout.addWidget(self.marks_note, (len(NO_MARK_REASONS) + 1) // 2, 0, 1, 2)
        return no_mark_group

    def _make_terms_editors(self, search_members: ChoiceSearch) -> None:
        self.requirements = QLineEdit()
        self.requirements.setPlaceholderText(self.tr("skills, comma-separated: OSHA 30, Drug test"))
        self.by_name = TypeAhead(search_members)
        self.by_name.setObjectName("by_name")
        self.by_name.setPlaceholderText(self.tr("only when the employer names a foreperson"))
        self.by_name.chosen_changed.connect(self._update_consequences)
        self.by_name.textChanged.connect(self._update_consequences)
        self.attested = QCheckBox(self.tr("The foreperson did not solicit this request (R13 attestation)"))
        self.attested.setObjectName("attested")
        self.bidding = QCheckBox(self.tr("Post for bids (R8)"))
        self.report_to = QLineEdit()
        self.report_to.setPlaceholderText(self.tr("blank: the worksite's report-to"))
        self.comments = QLineEdit()

    def _lay_out(self, no_mark_group: QGroupBox) -> None:
        job = QGroupBox(self.tr("Request"))
        grid = QGridLayout(job)
        grid.setVerticalSpacing(2)
        rows: list[tuple[str, str, QWidget]] = [
            ("employer_id", self.tr("E&mployer"), self.employer),
            ("worksite_id", self.tr("&Worksite"), self.worksite),
            ("book_id", self.tr("&Book"), self.book),
            ("job_class", self.tr("&Job class"), self.job_class),
            ("workers_requested", self.tr("Wor&kers"), self.workers),
            ("wage", self.tr("W&age"), self.wage),
            ("start_on", self.tr("&Start date"), self.start_on),
            ("start_time", self.tr("Start &time"), self.start_time),
            ("duration_days", self.tr("D&uration"), self.duration),
        ]
        for row, (name, caption, editor) in enumerate(rows):
            self._add_row(grid, row, name, caption, editor)
        grid.addWidget(self.call_kind, len(rows) * 2, 1)
        grid.setColumnStretch(1, 1)

        more = QGroupBox(self.tr("Terms"))
        more_grid = QGridLayout(more)
        more_grid.setVerticalSpacing(2)
        more_rows: list[tuple[str, str, QWidget]] = [
            ("requirements", self.tr("&Requirements"), self.requirements),
            ("by_name_member_id", self.tr("By-name f&oreperson"), self.by_name),
            ("by_name_attested", "", self.attested),
            ("bidding", "", self.bidding),
            ("report_to", self.tr("Re&port to"), self.report_to),
            ("comments", self.tr("&Comments"), self.comments),
        ]
        for row, (name, caption, editor) in enumerate(more_rows):
            self._add_row(more_grid, row, name, caption, editor)
        more_grid.setColumnStretch(1, 1)
        right = QVBoxLayout()
        right.addWidget(no_mark_group)
        right.addWidget(self.errors.add("no_mark_reasons"))
        right.addWidget(more)
        right.addStretch(1)

        # side by side where both fit at their natural width; one above the other on a narrow area (a large
        # font, 150 % on a laptop), where the request's fields would otherwise be squeezed to a few letters
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.addWidget(job, 1)
        self.columns.addLayout(right, 1)
        self._job_group, self._right_column = job, right
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(self.columns)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_columns(event.size().width())

    def _fit_columns(self, width: int) -> None:
        side_by_side = (self._job_group.sizeHint().width() + self._right_column.sizeHint().width()
                        + self.columns.spacing())
        stacked = self.columns.direction() == QBoxLayout.Direction.TopToBottom
        # a margin either way, so a scroll bar coming or going does not flip the layout back
        if stacked and width >= side_by_side + STACK_MARGIN:
            self.columns.setDirection(QBoxLayout.Direction.LeftToRight)
        elif not stacked and width < side_by_side:
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)

    def _set_tab_order(self) -> None:
        order: list[QWidget] = [self.employer, self.worksite, self.book, self.job_class, self.workers, self.wage,
                                self.start_on, self.start_time, self.duration]
        order += [self.no_mark_boxes[r] for r in NO_MARK_REASONS if r not in DERIVED_NO_MARK]
        order += [self.requirements, self.by_name, self.attested, self.bidding, self.report_to, self.comments]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self.tab_order = order

    def _add_row(self, grid: QGridLayout, row: int, name: str, caption: str, editor: QWidget) -> None:
        if caption:
            label_ = QLabel(caption)
            label_.setBuddy(editor)
            grid.addWidget(label_, row * 2, 0)
        grid.addWidget(editor, row * 2, 1)
        grid.addWidget(self.errors.add(name), row * 2 + 1, 1)

    # --- data the screen feeds ----------------------------------------------------------------------------

    def set_books(self, books: list[BookSummary], rules: dict[int, RuleSet], today: date) -> None:
        """The books in morning order with the rules in force today (short-call limit, bidding)."""
        self.books, self.rules, self.today = books, rules, today
        current = self.book.currentData()
        self.book.blockSignals(True)
        self.book.clear()
        self.book.addItem(self.tr("(choose the book)"), None)
        for book in books:
            self.book.addItem(f"{book.name}  ·  {book.morning_slot:%H:%M}", book.id)  # typed by name
        self.book.setCurrentIndex(max(0, self.book.findData(current)))
        self.book.blockSignals(False)
        self._update_consequences()

    def set_worksites(self, worksites: list[Choice], selected: int | None = None) -> None:
        untouched = not self.is_dirty()
        self.worksite.clear()
        self.worksite.addItem("", None)
        for choice in worksites:
            self.worksite.addItem(choice.text, choice.id)
        self.worksite.setCurrentIndex(max(0, self.worksite.findData(selected)))
        if untouched:  # the loaded request's worksite arriving is not typing
            self._loaded = self.raw()

    def _on_employer_chosen_changed(self, choice: Choice | None) -> None:
        if choice is None:
            self.set_worksites([])
        self.employer_chosen.emit(choice.id if choice else None)

    # --- values -------------------------------------------------------------------------------------------

    def book_rules(self) -> RuleSet:
        book_id = self.book.currentData()
        return self.rules.get(book_id, DEFAULT_RULES) if book_id is not None else DEFAULT_RULES

    def current_book(self) -> BookSummary | None:
        return next((b for b in self.books if b.id == self.book.currentData()), None)

    def value(self) -> tuple[RequestInput | None, dict[str, str]]:
        """The typed request, or None and the errors by field: the domain's checks of the request, over which
        the form's own say what could not be read (text that is not a date, a time, an amount, a pick)."""
        employer = read_pick(self.employer, self.tr("Pick the employer from the suggestions."))
        worksite = read_worksite(self.worksite)
        start_on = parse_date(self.start_on.text(), self.today)
        start_time = read_start_time(self.start_time.text())
        wage = read_wage(self.wage.text())
        by_name = read_pick(self.by_name, self.tr("Pick the foreperson from the suggestions, or clear the field."))
        reads: dict[str, tuple[object, str | None]] = {
            "employer_id": employer, "worksite_id": worksite, "start_on": start_on, "start_time": start_time,
            "wage": wage, "by_name_member_id": by_name}
        unread = {name: error for name, (_, error) in reads.items() if error}
        data = RequestInput(
            employer_id=employer[0], worksite_id=worksite[0], start_on=start_on[0], start_time=start_time[0],
            wage=wage[0], by_name_member_id=by_name[0],
            book_id=self.book.currentData(), workers_requested=self.workers.value(),
            job_class=self.job_class.text().strip() or None,
            duration_days=int(self.duration.text()) if self.duration.text().strip() else None,
            no_mark_reasons=tuple(r for r, box in self.no_mark_boxes.items()
                                  if box.isChecked() and r not in DERIVED_NO_MARK),
            requirements=split_list(self.requirements.text()), by_name_attested=self.attested.isChecked(),
            bidding=self.bidding.isChecked(), report_to=self.report_to.text().strip() or None,
            comments=self.comments.text().strip() or None)
        starts = start_date_errors(data.start_on, self.today, self.saved_start) if self.today else {}
        errors = {**starts, **request_errors(data), **unread}
        return (None, errors) if errors else (data, {})

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        inside = (self.worksite, self.worksite.lineEdit())
        if old in inside and new not in inside:
            self._on_worksite_editing_finished()

    def _on_worksite_editing_finished(self) -> None:
        worksite_id = typed_worksite(self.worksite)
        if worksite_id is not False:
            self.worksite.setCurrentIndex(max(0, self.worksite.findData(worksite_id)))

    def load(self, detail: RequestDetail | None) -> None:
        """Show a saved request for editing (None: a blank form). Worksites arrive with the employer."""
        self.errors.clear()
        self.saved_start = detail.start_on if detail is not None else None
        if detail is None:
            self.employer.set_chosen(None)
            for edit in (self.job_class, self.wage, self.start_on, self.start_time, self.duration,
                         self.requirements, self.report_to, self.comments):
                edit.clear()
            self.book.setCurrentIndex(0)
            self.workers.setValue(1)
            for box in self.no_mark_boxes.values():
                box.setChecked(False)
            self.by_name.set_chosen(None)
            self.attested.setChecked(False)
            self.bidding.setChecked(False)
            self._update_consequences()
            self._loaded = self.raw()
            return
        self.employer.set_chosen(Choice(detail.employer_id, detail.employer_name))
        self.book.setCurrentIndex(max(0, self.book.findData(detail.book_id)))
        self.job_class.setText(detail.job_class or "")
        self.workers.setValue(detail.workers_requested)
        self.wage.setText("" if detail.wage is None else f"{detail.wage:.2f}")
        self.start_on.setText(detail.start_on.isoformat())
        self.start_time.setText(detail.start_time or "")
        self.duration.setText("" if detail.duration_days is None else str(detail.duration_days))
        for reason, box in self.no_mark_boxes.items():
            box.setChecked(reason in detail.no_mark_reasons)
        self.requirements.setText(", ".join(detail.requirements))
        self.by_name.set_chosen(Choice(detail.by_name_member_id, detail.by_name_member or "")
                                if detail.by_name_member_id else None)
        self.attested.setChecked(detail.by_name_attested)
        self.bidding.setChecked(detail.bidding)
        self.report_to.setText(detail.report_to or "")
        self.comments.setText(detail.comments or "")
        self._update_consequences()
        self._loaded = self.raw()

    # --- typed work ---------------------------------------------------------------------------------------

    def raw(self) -> tuple[object, ...]:
        """Everything typed or picked, as shown: compared with what was loaded to know whether work would be lost."""
        texts = [e.text() for e in (self.employer, self.job_class, self.wage, self.start_on, self.start_time,
                                    self.duration, self.requirements, self.by_name, self.report_to, self.comments)]
        boxes = [box.isChecked() for box in (*self.no_mark_boxes.values(), self.attested, self.bidding)]
        return (*texts, *boxes, self.worksite.currentText(), self.book.currentData(), self.workers.value())

    def is_dirty(self) -> bool:
        return self.raw() != self._loaded

    def confirm_discard(self) -> bool:
        """True when nothing typed would be lost, or the user agreed to lose it."""
        return not self.is_dirty() or ask_discard(self, self.tr("this labor request"))

    # --- live consequences ----------------------------------------------------------------------------------

    def _update_consequences(self, *_args: Any) -> None:
        rules = self.book_rules()
        text = self.duration.text().strip()
        days = int(text) if text.isdigit() else None
        self.call_kind.setText(self._call_kind_text(days, rules))
        try:
            early = starts_early(normalize_start_time(self.start_time.text())[1])
        except ValueError:
            early = False
        self.no_mark_boxes["short_call"].setChecked(days is not None and days <= rules.short_call_max_days)
        self.no_mark_boxes["early_start"].setChecked(early)
        self.marks_note.setText(self._marks_note())
        self.bidding.setEnabled(rules.bidding_enabled)
        if not rules.bidding_enabled:
            self.bidding.setChecked(False)
        self.attested.setEnabled(bool(self.by_name.text().strip()))

    def _call_kind_text(self, days: int | None, rules: RuleSet) -> str:
        if days is None:
            return self.tr("Duration unknown: a long call.")
        if days <= rules.short_call_max_days:
            return self.tr("<b>Short call</b> (≤ {} business days): no check marks; the member "
                           "gets the old place back when it ends (R9).").format(rules.short_call_max_days)
        return self.tr("Long call (more than {} business days).").format(rules.short_call_max_days)

    def _marks_note(self) -> str:
        """Whether passing on the request earns a check mark, from the book's agreement and the boxes ticked."""
        book = self.current_book()
        notes = []
        if book is not None and book.agreement_type != "standard":
            notes.append(self.tr("{} agreement: manual rules — never issues check marks automatically (R4).")
                         .format(book.agreement_type.upper()))
        if any(box.isChecked() for box in self.no_mark_boxes.values()):
            notes.append(self.tr("Passing on this request will not earn a check mark."))
        elif not notes:
            notes.append(self.tr("Declining or not answering this request earns a check mark (R10)."))
        return " ".join(notes)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Editors pass Enter and Esc up to here once they are done with them; a key shortcut would also fire
        # while a type-ahead popup is open, and steal the Enter that picks a suggestion.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._popup_open():
            event.accept()
            self.submitted.emit()
        elif event.key() == Qt.Key.Key_Escape and not self._popup_open():
            event.accept()
            self._on_escape()
        else:
            super().keyPressEvent(event)

    def _popup_open(self) -> bool:
        return any(popup.isVisible() for w in (self.employer, self.by_name)
                   if (popup := w.completer_.popup()) is not None)

    def _on_escape(self) -> None:
        if not self.confirm_discard():
            return
        self.load(None)
        self.employer.setFocus()
        self.cleared.emit()
