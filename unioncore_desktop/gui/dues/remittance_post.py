"""The remittance wizard's last page: the totals against the check, and posting when they balance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.remittances import RemittanceReview
from unioncore_desktop.domain.services.remittances import PostedRemittance
from unioncore_desktop.gui import messages, theme
from unioncore_desktop.gui.dues.remittance_owner import RemittanceOwner, RemittancePage
from unioncore_desktop.gui.itemmodels.formatting import format_money


class PostPage(RemittancePage):
    def __init__(self, owner: RemittanceOwner) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Post"))
        self.setSubTitle(self.tr("The lines post as payroll-deduction payments in one deposit batch for the check. "
                                 "Posting is possible only when they add up to the check."))
        self.check_label = QLabel()
        self.posting_label = QLabel()
        self.excluded_label = QLabel()
        self.difference_label = QLabel()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.post_button = QPushButton(self.tr("&Post remittance"))
        form = QFormLayout()
        form.addRow(self.tr("Check amount:"), self.check_label)
        form.addRow(self.tr("Lines to post:"), self.posting_label)
        form.addRow(self.tr("Excluded lines:"), self.excluded_label)
        form.addRow(self.tr("Difference:"), self.difference_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.post_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        self.post_button.clicked.connect(self._on_post_button_clicked)
        self._posting = False
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.show_review(self.owner.review)

    def show_review(self, review: RemittanceReview | None) -> None:
        if review is None:
            return
        self.check_label.setText(format_money(review.header.check_amount))
        self.posting_label.setText(self.tr("{} ({} lines)").format(
            format_money(review.posting_total), sum(1 for line in review.lines if line.posts)))
        self.excluded_label.setText(format_money(review.excluded_total))
        self.difference_label.setText(format_money(review.difference))
        self.difference_label.setStyleSheet(
            "" if review.balanced else f"color: {theme.css('#c62828')}; font-weight: bold")
        if review.header.status == "posted":
            self.result_label.setText(self.tr("Posted: batch {} holds the payments.").format(review.header.batch_id))
        elif not review.balanced:
            self.result_label.setText(self.tr("The remittance does not balance to the check, so it cannot post. "
                                              "Go back and correct or exclude lines, or call the employer."))
        else:
            self.result_label.setText(self.tr("Balanced: ready to post."))
        self.post_button.setEnabled(review.can_post and not self._posting)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        review = self.owner.review
        return review is not None and review.header.status == "posted"

    def _on_post_button_clicked(self) -> None:
        review = self.owner.review
        if review is None or not review.can_post:
            return
        self._posting = True
        self.post_button.setEnabled(False)
        self.result_label.setText(self.tr("Posting…"))
        self.owner.start_post(success=self._posted, failure=self._post_failed)

    def _posted(self, result: PostedRemittance) -> None:
        self._posting = False
        self.owner.reload_review(lambda _review: self.result_label.setText(self.tr(
            "Posted {} payments totalling {} in batch {}.").format(
            result.payment_count, format_money(result.total), result.batch_id)))

    def _post_failed(self, error: BaseException) -> None:
        self._posting = False
        self.show_review(self.owner.review)
        if isinstance(error, DomainError):
            self.result_label.setText(error.message)
            messages.warning(self, self.tr("Not posted"), error.message)
