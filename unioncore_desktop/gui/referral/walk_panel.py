"""The walk of the chosen request: everyone skipped above the next eligible registrant and why, the next one with
their phones, the answer buttons (A / D / N), what the last answer did, and the follow-up buttons. It shows a walk
and says which answer was pressed; the referral screen sends it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.domain.services.dispatch import OfferResult
from unioncore_desktop.domain.services.walk import WalkView
from unioncore_desktop.gui import icons
from unioncore_desktop.gui.itemmodels.dispatch import WalkModel, walk_lines
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.itemmodels.requests import no_mark_text
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.simple_table import simple_table

OUTCOME_WORDS = {"accepted": "accepted", "declined": "declined", "no_answer": "did not answer"}
WORKABLE = ("open", "partially_filled")


def closed_reason(view: WalkView, today: date | None) -> str | None:
    """Why nobody can be offered this request now (None: the next registrant may be called)."""
    r, p = view.request, view.preview
    if r.status not in WORKABLE or p.open_places <= 0:
        return f"request {r.number} is {format_label(r.status).lower()}"
    if today is None or r.referral_date > today:
        when = f"{r.referral_date:%a %d %b %Y}" if today is not None else "its referral morning"
        return f"request {r.number} is worked at the referral of {when} (R3)"
    return None


class WalkPanel(QWidget):
    answer_requested = Signal(str)  # accepted / declined / no_answer
    line_changed = Signal()  # another line of the walk is current

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request_label = QLabel(self.tr("Choose a request on the left."))
        self.request_label.setObjectName("recordTitle")
        self.request_label.setWordWrap(True)
        self.walk_model = WalkModel(parent=self)
        self.walk_view = simple_table(self.walk_model)
        # The walk is shown in list order, always: no sorting by clicking a header.
        self.walk_view.setSortingEnabled(False)
        self.walk_model.sort(-1)
        self.walk_view.setWordWrap(False)
        walk_header = self.walk_view.horizontalHeader()
        # widths for the usual font, widened for a large one to what the column holds
        metrics = self.walk_view.fontMetrics()
        pad = 2 * metrics.averageCharWidth()
        for column, (width, sample) in enumerate(zip((50, 40, 80, 80, 190, 130),
                                                     ("Rank", "Tier", "00000.00", "0000000", "M" * 14, "Answered"),
                                                     strict=True)):
            walk_header.resizeSection(column, max(width, metrics.horizontalAdvance(sample) + pad))
        self.walk_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.walk_view.selectionModel().currentRowChanged.connect(lambda *_: self.line_changed.emit())

        self.next_box = QFrame()
        self.next_box.setObjectName("nextEligible")
        self.next_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextLabel")
        self.next_label.setWordWrap(True)
        self.next_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accept_button = QPushButton(self.tr("&Accepted (A)"))
        self.decline_button = QPushButton(self.tr("&Declined (D)"))
        self.no_answer_button = QPushButton(self.tr("&No answer (N)"))
        self.accept_button.clicked.connect(lambda: self.answer_requested.emit("accepted"))
        self.decline_button.clicked.connect(lambda: self.answer_requested.emit("declined"))
        self.no_answer_button.clicked.connect(lambda: self.answer_requested.emit("no_answer"))
        answers = QHBoxLayout()
        for button in self.answer_buttons():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            answers.addWidget(button)
        next_layout = QVBoxLayout(self.next_box)
        next_layout.addWidget(self.next_label)
        next_layout.addLayout(answers)

        self.result_label = QLabel()
        self.result_label.setObjectName("answerResult")
        self.result_label.setWordWrap(True)
        self.slip_button = QPushButton(icons.get("print"), self.tr("&Print dispatch slip"))
        self.by_name_button = QPushButton(self.tr("Dispatch &by name…"))
        self.history_button = QPushButton(self.tr("&Offer history…"))
        self.walk_mark_button = QPushButton(self.tr("Remove check &mark…"))
        extra = QHBoxLayout()
        for button in (self.slip_button, self.by_name_button, self.history_button, self.walk_mark_button):
            extra.addWidget(button)
        extra.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.request_label)
        layout.addWidget(self.walk_view, 1)
        layout.addWidget(self.next_box)
        layout.addWidget(self.result_label)
        layout.addLayout(extra)

    def answer_buttons(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.accept_button, self.decline_button, self.no_answer_button

    def clear(self) -> None:
        """Another request (or day) was chosen: nothing of the last one's walk or answer stays."""
        self.result_label.clear()
        self.walk_model.set_rows([])
        self.request_label.setText(self.tr("Choose a request on the left."))
        self.next_label.clear()
        self._set_offering(False)

    def _set_offering(self, offering: bool) -> None:
        """The next-registrant box stands out only while there is someone to call now."""
        self.next_box.setProperty("offering", offering)
        self.next_box.setFrameShape(QFrame.Shape.StyledPanel if offering else QFrame.Shape.NoFrame)

    def show_walk(self, view: WalkView, same: bool, today: date | None = None) -> None:
        """The walk's lines (a refresh of the same walk keeps the dispatcher's place), the request and the next.
        `today` is the hall's: a request due at a later referral is shown, not offered."""
        closed = closed_reason(view, today)
        lines = walk_lines(view.preview, closed)
        if same:
            with view_state.kept(self.walk_view, self.walk_model):
                self.walk_model.set_rows(lines)
        else:
            self.walk_model.set_rows(lines)
        next_line = next((i for i, line in enumerate(lines) if line.state == "next"), None)
        if next_line is not None and not self.walk_view.selectionModel().hasSelection():
            self.walk_view.scrollTo(self.walk_model.index(next_line, 0))
        self._show_request(view)
        self._show_next(view, closed)

    def _show_request(self, view: WalkView) -> None:
        r, p = view.request, view.preview
        marks = (self.tr("Declining or not answering earns a check mark.") if p.issues_marks else
                 self.tr("No check marks on this request: {}.").format(
                     no_mark_text(p.no_mark_reasons) or self.tr("{} agreement, manual rules").format(
                         r.agreement_type.upper())))
        self.request_label.setText(self.tr(
            "<b>{number}</b> — {employer}{worksite} · book <b>{book}</b> · {job}<br>"
            "Starts {start:%a %d %b}{time} · <b>{sent} of {wanted}</b> sent · {status}{by_name}<br>{marks}").format(
                number=r.number, employer=r.employer_name, worksite=f", {r.worksite_name}" if r.worksite_name else "",
                book=r.book_name, job=r.job_class or self.tr("no job class"), start=r.start_on,
                time=f" {r.start_time}" if r.start_time else "", sent=r.workers_dispatched,
                wanted=r.workers_requested, status=format_label(r.status),
                by_name=self.tr(" · by name: {}").format(r.by_name_member) if r.by_name_member else "",
                marks=marks))

    def _show_next(self, view: WalkView, closed: str | None) -> None:
        r, p = view.request, view.preview
        self._set_offering(closed is None and p.next is not None)
        if closed is not None and r.status in WORKABLE and p.open_places > 0:
            self.next_label.setText(self.tr("<b>Not yet:</b> {}.").format(closed))
        elif p.next is not None and p.open_places > 0 and r.status in WORKABLE:
            n = p.next
            phones = " · ".join(view.phones) or self.tr("no phone on file")
            self.next_label.setText(self.tr(
                "<span style='font-size:14pt'><b>Next: {name}</b></span> &nbsp; card {card} · rank {rank} · "
                "tier {tier} · APN {apn:.2f}<br><span style='font-size:13pt'>☎ {phones}</span>").format(
                    name=n.member_name, card=n.card_number, rank=n.rank, tier=n.tier, apn=n.apn, phones=phones))
        elif p.open_places <= 0 or r.status not in WORKABLE:
            self.next_label.setText(self.tr("<b>Request {} is {}.</b>").format(r.number, format_label(r.status)))
        else:
            self.next_label.setText(self.tr("<b>No one on the list can take this request.</b>"))

    def show_answer(self, result: OfferResult, marks_allowed: int) -> None:
        """What the answer did: the dispatch, or the mark or roll-off it earned, and who was skipped."""
        name = result.member_name
        if result.outcome == "accepted":
            text = self.tr("<b>{} accepted</b> — dispatch {} recorded ({} of {} sent). "
                           "Print the dispatch slip.").format(name, result.dispatch_id, result.workers_dispatched,
                                                               result.workers_requested)
        else:
            text = self.tr("<b>{} {}</b> — ").format(name, OUTCOME_WORDS[result.outcome])
            if result.rolled_off == "quit":
                text += self.tr("a refused bid win counts as a quit: rolled off all books (R8/R12).")
            elif result.mark_issued:
                text += self.tr("<span style='color:#B42318'><b>check mark issued</b></span> "
                                "({} of {} on this book)").format(result.live_marks, marks_allowed)
                if result.rolled_off == "check_marks":
                    text += self.tr(" — rolled off this book.")
            else:
                text += self.tr("no check mark (this request issues none, or one was already given today).")
        if result.skipped:
            text += self.tr(" {} skipped above, recorded with their reasons.").format(len(result.skipped))
        self.result_label.setText(text)

    def update_buttons(self, view: WalkView | None, *, can_answer: bool, has_dispatch: bool) -> None:
        for button in self.answer_buttons():
            button.setEnabled(can_answer)
        self.slip_button.setEnabled(has_dispatch)
        self.by_name_button.setEnabled(view is not None and view.request.by_name_member_id is not None
                                       and view.request.status in WORKABLE)
        self.history_button.setEnabled(view is not None)
        line = self.walk_model.row_at(self.walk_view.currentIndex())
        self.walk_mark_button.setEnabled(line is not None and line.mark_issued)
