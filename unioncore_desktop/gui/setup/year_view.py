"""The holiday calendar's year view: twelve small months of one year in a grid, weekends shaded, holidays marked,
today outlined. The arrow keys move a day or a week across month ends, Home and End go to the year's first and last
day; Enter, Return or a double-click activates the day (the calendar opens that holiday or offers to add one).
Painted as one widget rather than twelve QCalendarWidgets so the keyboard walks the whole year."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

COLUMNS = 4  # months across; three rows of four
WEEKS = 6  # the most weeks a month touches
CELL = QSize(24, 18)
GAP = 14
WEEKDAYS = ("M", "T", "W", "T", "F", "S", "S")  # Monday first, as the business week runs
HOLIDAY_COLOUR = QColor("#f2b8b5")
WEEKEND_COLOUR = QColor("#e6e6e6")
KEY_STEPS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}


class YearGrid(QWidget):
    """`show_year(year, holidays, today)`; `current` is the day the keyboard is on."""

    current_changed = Signal(object)  # date
    date_activated = Signal(object)  # date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holidayYearGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")  # tooltips come from event(): the holiday under the pointer
        self.year = date.today().year  # until the first show_year: the hall's year comes from the server
        self.current = date(self.year, 1, 1)
        self._shown = False
        self.holidays: dict[date, str] = {}
        self.today: date | None = None

    def show_year(self, year: int, holidays: Mapping[date, str], today: date | None) -> None:
        self.holidays, self.today = dict(holidays), today
        if year != self.year or not self._shown:
            self.year, self._shown = year, True
            self.set_current(today if today is not None and today.year == year else date(year, 1, 1))
        self.update()

    def set_current(self, day: date) -> None:
        """Move the keyboard's day (kept inside the year shown)."""
        day = min(max(day, date(self.year, 1, 1)), date(self.year, 12, 31))
        if day != self.current:
            self.current = day
            self.update()
            self.current_changed.emit(day)

    # --- geometry ---------------------------------------------------------------------------------------------

    def _month_size(self) -> QSize:
        return QSize(CELL.width() * 7, CELL.height() * (WEEKS + 2))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        month = self._month_size()
        return QSize(COLUMNS * month.width() + (COLUMNS + 1) * GAP, 3 * month.height() + 4 * GAP)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def _month_origin(self, month: int) -> QPoint:
        size = self._month_size()
        row, column = divmod(month - 1, COLUMNS)
        return QPoint(GAP + column * (size.width() + GAP), GAP + row * (size.height() + GAP))

    def cell_rect(self, day: date) -> QRect:
        """Where `day` is drawn (tests click it)."""
        origin = self._month_origin(day.month)
        week = (day.day - 1 + date(day.year, day.month, 1).weekday()) // 7
        return QRect(origin.x() + day.weekday() * CELL.width(), origin.y() + (week + 2) * CELL.height(),
                     CELL.width(), CELL.height())

    def day_at(self, point: QPoint) -> date | None:
        for month in range(1, 13):
            origin = self._month_origin(month)
            column = (point.x() - origin.x()) // CELL.width()
            week = (point.y() - origin.y()) // CELL.height() - 2
            if 0 <= column < 7 and 0 <= week < WEEKS:
                number = week * 7 + column - date(self.year, month, 1).weekday() + 1
                if 1 <= number <= calendar.monthrange(self.year, month)[1]:
                    return date(self.year, month, number)
        return None

    # --- painting ---------------------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        palette = self.palette()
        plain, bold = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        for month in range(1, 13):
            origin = self._month_origin(month)
            title = QRect(origin.x(), origin.y(), CELL.width() * 7, CELL.height())
            painter.setFont(bold)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(title, Qt.AlignmentFlag.AlignCenter, calendar.month_name[month])
            painter.setFont(plain)
            for column, name in enumerate(WEEKDAYS):
                painter.drawText(QRect(origin.x() + column * CELL.width(), origin.y() + CELL.height(),
                                       CELL.width(), CELL.height()), Qt.AlignmentFlag.AlignCenter, name)
            for number in range(1, calendar.monthrange(self.year, month)[1] + 1):
                self._paint_day(painter, date(self.year, month, number), plain, bold)
        painter.end()

    def _paint_day(self, painter: QPainter, day: date, plain: QFont, bold: QFont) -> None:
        palette = self.palette()
        rect = self.cell_rect(day).adjusted(1, 1, -1, -1)
        holiday = day in self.holidays
        if day == self.current:
            role = QPalette.ColorRole.Highlight if self.hasFocus() else QPalette.ColorRole.Mid
            painter.fillRect(rect, palette.color(role))
        elif holiday:
            painter.fillRect(rect, HOLIDAY_COLOUR)
        elif day.weekday() >= 5:
            painter.fillRect(rect, WEEKEND_COLOUR)
        if day == self.today:
            painter.setPen(palette.color(QPalette.ColorRole.Link))
            painter.drawRect(rect)
        text_role = QPalette.ColorRole.HighlightedText if day == self.current and self.hasFocus() \
            else QPalette.ColorRole.WindowText
        painter.setPen(palette.color(text_role))
        painter.setFont(bold if holiday else plain)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(day.day))

    # --- keyboard and mouse -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = Qt.Key(event.key())
        if key in KEY_STEPS:
            self.set_current(self.current + timedelta(days=KEY_STEPS[key]))
        elif key == Qt.Key.Key_Home:
            self.set_current(date(self.year, 1, 1))
        elif key == Qt.Key.Key_End:
            self.set_current(date(self.year, 12, 31))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.date_activated.emit(self.current)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        day = self.day_at(event.position().toPoint())
        if day is not None:
            self.set_current(day)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        day = self.day_at(event.position().toPoint())
        if day is not None:
            self.set_current(day)
            self.date_activated.emit(day)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self.day_at(event.pos())
            if day is not None and day in self.holidays:
                QToolTip.showText(event.globalPos(), f"{day:%a %d %b}: {self.holidays[day]}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def focusInEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.update()
        super().focusOutEvent(event)
