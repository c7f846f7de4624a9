"""The frame every PDF report shares, so each report module only declares its columns, rows and summary."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import landscape as landscape_size
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from unioncore_desktop.domain.queries.fragments import DEFAULT_HALL_ZONE
from unioncore_desktop.paths import resources_dir

DEFAULT_TIME_ZONE = DEFAULT_HALL_ZONE  # a report run without the hall's facts (as the database's default)

Align = Literal["left", "right", "center"]

# Liberation Sans (resources/fonts, SIL Open Font License), embedded (subset) in every PDF: a printout looks the
# same on every printer and viewer, unlike the standard PDF fonts each of them substitutes. Its widths are
# Helvetica's, so layouts measured for the standard font stay as they were; it covers Windows-1252, the characters
# `pdf_text` keeps.
FONT = "UnionCore-Sans"
FONT_BOLD = "UnionCore-Sans-Bold"
FONT_ITALIC = "UnionCore-Sans-Italic"
FONT_FILES = {FONT: "LiberationSans-Regular.ttf", FONT_BOLD: "LiberationSans-Bold.ttf",
              FONT_ITALIC: "LiberationSans-Italic.ttf"}
FONT_WIDEST_EM = 1.02  # no Windows-1252 glyph of the three is wider ('@' at 1.015 em)


def _register_fonts() -> None:
    folder = resources_dir() / "fonts"
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


_register_fonts()

INK = colors.HexColor("#1F2328")
MUTED = colors.HexColor("#5A6270")
RULE = colors.HexColor("#8C95A1")
HAIRLINE = colors.HexColor("#C9CFD6")
HEADER_FILL = colors.HexColor("#E6EAEF")
ZEBRA_FILL = colors.HexColor("#F4F6F8")
GROUP_FILL = colors.HexColor("#D9DFE6")

MARGIN_X = 0.5 * inch
MARGIN_TOP = 0.45 * inch
MARGIN_BOTTOM = 0.45 * inch
FOOTER_HEIGHT = 20.0
HEADER_GAP = 10.0
MAX_PARAMETER_LINES = 3

CELL_PAD_X = 3.0
CELL_PAD_TOP = 1.5
CELL_PAD_BOTTOM = 2.5

_ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class ReportContext:
    """Who ran which report, with what parameters, as of when: printed on every page and in every export."""

    hall_name: str
    title: str
    parameters: Sequence[tuple[str, str]]
    as_of: datetime
    run_by: str
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None or self.as_of.utcoffset() is None:
            raise ValueError("as_of must be timezone-aware (it comes from the database server clock)")
        ZoneInfo(self.time_zone)  # fail here, not halfway through writing a file
        object.__setattr__(self, "parameters", tuple((str(k), str(v)) for k, v in self.parameters))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_as_of(self) -> datetime:
        """The as-of time in the hall's time zone."""
        return self.as_of.astimezone(self.zone)

    @property
    def as_of_label(self) -> str:
        """'2026-11-21 08:14 PST'."""
        return self.local_as_of.strftime("%Y-%m-%d %H:%M %Z")

    @property
    def parameters_line(self) -> str:
        """'Status: active · Classification: all', or 'Parameters: none'."""
        if not self.parameters:
            return "Parameters: none"
        return " \u00b7 ".join(f"{name}: {value}" for name, value in self.parameters)


def apn_text(value: object) -> str:
    """A priority number as printed: numeric(10,2), never rounded, never given a thousands separator."""
    return f"{value:.2f}"


def label(value: str | None) -> str:
    """Human text for a vocabulary value: 'apprentice_3' -> 'Apprentice 3'; codes such as 'BA' stay as they are."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize() if value.upper() != value else value


def pdf_text(value: str) -> str:
    """`value` in characters the report font can draw; others lose accents or become '?'.

    The embedded font covers Windows-1252, and ReportLab draws a box for anything else, so 'Nguyễn' prints
    as 'Nguyen' rather than 'Nguy■n'.
    """
    if value.isascii():
        return value
    try:
        value.encode("cp1252")
        return value
    except UnicodeEncodeError:
        pass
    out = []
    for char in value:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def format_value(value: Any, zone: ZoneInfo | None = None) -> str:
    """Default printed form of a cell value: dates ISO, money with two decimals, counts with separators."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (Decimal, float)):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        if value.tzinfo is not None and zone is not None:
            value = value.astimezone(zone)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: header, width (fixed points, or a share of what is left), alignment, printed form."""

    header: str
    weight: float = 1.0
    align: Align = "left"
    width: float | None = None
    format: Callable[[Any], str] | None = None
    wrap: bool = False  # wrap long text over several lines instead of cutting it with an ellipsis


@dataclass(frozen=True, slots=True)
class GroupHeading:
    """A row spanning the table that opens a group, e.g. 'Tier 1' on an out-of-work list."""

    text: str


@dataclass(frozen=True, slots=True)
class Subtotal:
    """A bold row closing a group, or the whole table when `grand`; cells line up with the data columns."""

    cells: Sequence[Any]
    grand: bool = False


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One label/value line of the summary block printed after a table."""

    label: str
    value: Any
    bold: bool = False
    indent: int = 0


Row = Sequence[Any] | GroupHeading | Subtotal
R = TypeVar("R")


def reason_groups(rows: Sequence[R], reason: Callable[[R], str], name: Callable[[str], str],
                  cells: Callable[[R], Row], *, lead: int, counted: str) -> tuple[list[Row], list[SummaryLine]]:
    """Rows grouped by their reason, reasons in the order of their names: a heading, the rows and a subtotal
    "<reason>: N <counted>" (after `lead` blank cells) per reason, then "All reasons: N <counted>"; and the
    summary's line per reason, indented under the caller's total."""
    by_reason: dict[str, list[R]] = {}
    for row in rows:
        by_reason.setdefault(reason(row), []).append(row)
    table: list[Row] = []
    summary: list[SummaryLine] = []
    blank = (None,) * lead
    for key in sorted(by_reason, key=name):
        group = by_reason[key]
        table.append(GroupHeading(name(key)))
        table += [cells(row) for row in group]
        table.append(Subtotal((*blank, f"{name(key)}: {len(group):,} {counted}")))
        summary.append(SummaryLine(name(key), len(group), indent=1))
    if rows:
        table.append(Subtotal((*blank, f"All reasons: {len(rows):,} {counted}"), grand=True))
    return table, summary

_ALIGN = {"left": "LEFT", "right": "RIGHT", "center": "CENTER"}
_PARA_ALIGN: dict[str, Literal[0, 1, 2]] = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


def resolve_widths(columns: Sequence[Column], available: float) -> list[float]:
    """Column widths in points: fixed widths first, the rest shared by weight."""
    fixed = sum(c.width for c in columns if c.width is not None)
    weights = sum(c.weight for c in columns if c.width is None)
    free = max(available - fixed, 0.0)
    return [c.width if c.width is not None else free * c.weight / weights if weights else 0.0 for c in columns]


def _fit(text: str, width: float, font: str, size: float) -> str:
    """`text` cut with an ellipsis so it fits `width`; table cells must not run into their neighbours."""
    # No glyph of the report font is wider than FONT_WIDEST_EM, so short text needs no measuring (most cells of
    # long lists).
    if len(text) * size * FONT_WIDEST_EM <= width or stringWidth(text, font, size) <= width:
        return text
    ellipsis_width = stringWidth(_ELLIPSIS, font, size)
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid], font, size) + ellipsis_width <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + _ELLIPSIS


class _ReportTable(LongTable):
    """LongTable that closes every page's part with a rule.

    LongTable skips re-measuring every remaining row at each page break, so 10,000-row lists stay fast.
    ReportLab's own 'splitlast' style row survives only the first split, hence `onSplit`.
    """

    def onSplit(self, T: Table, byRow: int = 1) -> None:  # noqa: N802, N803 - ReportLab's names
        T.setStyle([("LINEBELOW", (0, -1), (-1, -1), 0.75, RULE)])


def report_table(columns: Sequence[Column], rows: Iterable[Row], *, width: float, font_size: float = 8.0,
                 zone: ZoneInfo | None = None) -> Table:
    """A table flowable in the house style: header repeated on each page, zebra rows, group and subtotal rows.

    Rows are sequences of raw values (formatted by each column's `format`, else `format_value`),
    `GroupHeading`s or `Subtotal`s. Zebra striping restarts after every group heading.
    """
    widths = resolve_widths(columns, width)
    fits = [w - 2 * CELL_PAD_X for w in widths]
    formatters = [c.format or partial(format_value, zone=zone) for c in columns]
    n_cols = len(columns)
    any_wrap = any(c.wrap for c in columns)
    wrap_styles = [ParagraphStyle(f"cell{i}", fontName=FONT, fontSize=font_size, leading=font_size * 1.2,
                                  alignment=_PARA_ALIGN[c.align], textColor=INK) for i, c in enumerate(columns)]
    bold_wrap_styles = [ParagraphStyle(f"{s.name}b", parent=s, fontName=FONT_BOLD) for s in wrap_styles]

    def cells_for(values: Sequence[Any], bold: bool) -> list[Any]:
        if len(values) > n_cols:
            raise ValueError(f"row {len(data)} has {len(values)} values for {n_cols} columns")
        font = FONT_BOLD if bold else FONT
        out: list[Any] = []
        for i in range(n_cols):
            raw = values[i] if i < len(values) else None
            text = pdf_text(formatters[i](raw)) if raw is not None else ""
            if columns[i].wrap and text:
                styles = bold_wrap_styles if bold else wrap_styles
                out.append(Paragraph(_escape(text), styles[i]))
            else:
                out.append(_fit(text, fits[i], font, font_size))
        return out

    header = [_fit(pdf_text(c.header), fits[i], FONT_BOLD, font_size) for i, c in enumerate(columns)]
    data: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, font_size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_BOTTOM),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 0.75, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
    ]
    for i, column in enumerate(columns):
        if column.align != "left":
            commands.append(("ALIGN", (i, 0), (i, -1), _ALIGN[column.align]))

    stripe_start: int | None = None
    headings: list[int] = []

    def close_stripe(end: int) -> None:
        # One ROWBACKGROUNDS command per run of data rows keeps splitting cheap on long tables.
        if stripe_start is not None and end >= stripe_start:
            commands.append(("ROWBACKGROUNDS", (0, stripe_start), (-1, end), [colors.white, ZEBRA_FILL]))

    for row in rows:
        index = len(data)
        if isinstance(row, GroupHeading):
            close_stripe(index - 1)
            stripe_start = None
            data.append([_fit(pdf_text(row.text), width - 2 * CELL_PAD_X, FONT_BOLD, font_size)]
                        + [""] * (n_cols - 1))
            commands += [
                ("SPAN", (0, index), (-1, index)),
                ("ALIGN", (0, index), (-1, index), "LEFT"),
                ("FONT", (0, index), (-1, index), FONT_BOLD, font_size),
                ("BACKGROUND", (0, index), (-1, index), GROUP_FILL),
                ("TOPPADDING", (0, index), (-1, index), CELL_PAD_TOP + 2),
            ]
            headings.append(index)
        elif isinstance(row, Subtotal):
            close_stripe(index - 1)
            stripe_start = None
            data.append(cells_for(row.cells, bold=True))
            commands += [
                ("FONT", (0, index), (-1, index), FONT_BOLD, font_size),
                ("LINEABOVE", (0, index), (-1, index), 1.0 if row.grand else 0.5, INK if row.grand else RULE),
                ("NOSPLIT", (0, max(index - 1, 1)), (-1, index)),
            ]
        else:
            if stripe_start is None:
                stripe_start = index
            data.append(cells_for(row, bold=False))
    close_stripe(len(data) - 1)
    last = len(data) - 1
    # A heading never sits alone at the foot of a page.
    commands += [("NOSPLIT", (0, index), (-1, min(index + 1, last))) for index in headings]
    if len(data) > 1:
        commands.append(("LINEBELOW", (0, -1), (-1, -1), 0.75, RULE))

    row_height = None if any_wrap else font_size * 1.2 + CELL_PAD_TOP + CELL_PAD_BOTTOM + 1.0
    table = _ReportTable(data, colWidths=widths, rowHeights=row_height, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def summary_block(lines: Sequence[SummaryLine | tuple[str, Any]], *, heading: str = "Summary",
                  font_size: float = 8.5) -> Flowable:
    """Label/value lines (totals, counts by kind) kept together after the main table."""
    items = [line if isinstance(line, SummaryLine) else SummaryLine(*line) for line in lines]
    label_width = max([stringWidth(pdf_text(item.label), FONT_BOLD, font_size) + 12 * item.indent
                       for item in items] + [1.6 * inch]) + 16
    value_width = max([stringWidth(format_value(item.value), FONT_BOLD, font_size) for item in items]
                      + [0.6 * inch]) + 8
    data = [[pdf_text(item.label), pdf_text(format_value(item.value))] for item in items]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, item in enumerate(items):
        if item.bold:
            commands.append(("FONT", (0, i), (-1, i), FONT_BOLD, font_size))
        if item.indent:
            commands.append(("LEFTPADDING", (0, i), (0, i), 12 * item.indent))
    table = Table(data, colWidths=[label_width, value_width], hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    title = Paragraph(_escape(pdf_text(heading)), ParagraphStyle(
        "summary_heading", fontName=FONT_BOLD, fontSize=font_size + 1.5, leading=(font_size + 1.5) * 1.3,
        textColor=INK, spaceAfter=3))
    return KeepTogether([title, table])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NumberedCanvas(Canvas):
    """Holds every page until the end so each footer can say 'Page X of Y'."""

    def __init__(self, *args: Any, report: ReportDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._report = report
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # ReportLab's own page reset, missing from its stubs

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._report.draw_footer(self, number, total)
            super().showPage()
        super().save()


class ReportDocument:
    """A Letter-size report in the house frame; add flowables (tables, summaries) and build once."""

    def __init__(self, context: ReportContext, *, landscape: bool = False) -> None:
        self.context = context
        self.page_size = landscape_size(letter) if landscape else letter
        self.story: list[Flowable] = []
        page_width, page_height = self.page_size
        self.content_width = page_width - 2 * MARGIN_X
        self._layout_header(page_height)

    # -- layout ---------------------------------------------------------------------------------------------

    def _layout_header(self, page_height: float) -> None:
        ctx = self.context
        self._right_lines = [pdf_text(f"As of {ctx.as_of_label}"), pdf_text(f"Run by: {ctx.run_by}")]
        right_width = max(stringWidth(t, FONT, 8.5) for t in self._right_lines)
        self._left_width = self.content_width - right_width - 24
        self._title_size = 15.0
        title = pdf_text(ctx.title)
        while self._title_size > 10 and stringWidth(title, FONT_BOLD, self._title_size) > self._left_width:
            self._title_size -= 0.5
        self._title = _fit(title, self._left_width, FONT_BOLD, self._title_size)
        self._hall = _fit(pdf_text(ctx.hall_name), self._left_width, FONT_BOLD, 9.5)
        params = simpleSplit(pdf_text(ctx.parameters_line), FONT, 8.5, self._left_width)
        if len(params) > MAX_PARAMETER_LINES:
            params = params[:MAX_PARAMETER_LINES]
            params[-1] = _fit(params[-1] + " " + _ELLIPSIS, self._left_width, FONT, 8.5)
        self._param_lines = params

        top = page_height - MARGIN_TOP
        self._hall_y = top - 9.5
        self._title_y = self._hall_y - self._title_size - 4
        self._param_y = self._title_y - 13
        last_baseline = self._param_y - 11 * (len(params) - 1)
        self._rule_y = min(last_baseline, self._hall_y - 11) - 6
        self.frame_top = self._rule_y - HEADER_GAP
        self.frame_bottom = MARGIN_BOTTOM + FOOTER_HEIGHT

    def draw_header(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        page_width, _ = self.page_size
        left, right = MARGIN_X, page_width - MARGIN_X
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT_BOLD, 9.5)
        canvas.drawString(left, self._hall_y, self._hall)
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, self._title_size)
        canvas.drawString(left, self._title_y, self._title)
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(MUTED)
        for i, line in enumerate(self._param_lines):
            canvas.drawString(left, self._param_y - 11 * i, line)
        canvas.setFillColor(INK)
        for i, line in enumerate(self._right_lines):
            canvas.drawRightString(right, self._hall_y - 11 * i, line)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.75)
        canvas.line(left, self._rule_y, right, self._rule_y)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, number: int, total: int) -> None:
        page_width, _ = self.page_size
        left, right = MARGIN_X, page_width - MARGIN_X
        rule_y = MARGIN_BOTTOM + 11
        canvas.saveState()
        canvas.setStrokeColor(HAIRLINE)
        canvas.setLineWidth(0.5)
        canvas.line(left, rule_y, right, rule_y)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        footer_left = f"{self.context.hall_name} \u00b7 {self.context.title} \u00b7 {self.context.as_of_label}"
        canvas.drawString(left, MARGIN_BOTTOM, _fit(pdf_text(footer_left), self.content_width - 90, FONT, 7.5))
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(INK)
        canvas.drawRightString(right, MARGIN_BOTTOM, f"Page {number:,} of {total:,}")
        canvas.restoreState()

    # -- content --------------------------------------------------------------------------------------------

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def add_table(self, columns: Sequence[Column], rows: Iterable[Row], *, font_size: float = 8.0,
                  empty_text: str = "No records match these parameters.") -> None:
        rows = list(rows)
        if not rows:
            self.add_note(empty_text)
            return
        self.add(report_table(columns, rows, width=self.content_width, font_size=font_size, zone=self.context.zone))

    def add_heading(self, text: str) -> None:
        """A section heading (e.g. one per book on an all-books list) that does not strand at a page foot."""
        self.add(CondPageBreak(1 * inch), Paragraph(_escape(pdf_text(text)), ParagraphStyle(
            "section", fontName=FONT_BOLD, fontSize=11, leading=14, textColor=INK, spaceBefore=6, spaceAfter=4)))

    def add_note(self, text: str) -> None:
        self.add(Paragraph(_escape(pdf_text(text)), ParagraphStyle(
            "note", fontName=FONT_ITALIC, fontSize=9, leading=12, textColor=MUTED, spaceBefore=4, spaceAfter=4)))

    def add_summary(self, lines: Sequence[SummaryLine | tuple[str, Any]], *, heading: str = "Summary") -> None:
        if lines:
            self.add(Spacer(1, 12), summary_block(lines, heading=heading))

    def build(self, path: str | os.PathLike[str]) -> Path:
        """Write the PDF to `path` and return it."""
        target = Path(path)
        frame = Frame(MARGIN_X, self.frame_bottom, self.content_width, self.frame_top - self.frame_bottom,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc = BaseDocTemplate(
            str(target), pagesize=self.page_size,
            leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
            title=self.context.title, author=self.context.run_by, subject=self.context.hall_name,
            creator="UnionCore Desktop",
            initialFontName=FONT,  # each page starts in it: no unembedded standard font is named
        )
        doc.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=self.draw_header)])
        story = self.story or [Spacer(1, 1)]
        doc.build(story, canvasmaker=partial(_NumberedCanvas, report=self))
        return target


def build_table_report(path: str | os.PathLike[str], context: ReportContext, columns: Sequence[Column],
                       rows: Iterable[Row], *, summary: Sequence[SummaryLine | tuple[str, Any]] = (),
                       landscape: bool = False, font_size: float = 8.0) -> Path:
    """Write a one-table report (plus optional summary lines) to `path` and return it."""
    document = ReportDocument(context, landscape=landscape)
    document.add_table(columns, rows, font_size=font_size)
    document.add_summary(summary)
    return document.build(path)


__all__ = [
    "DEFAULT_TIME_ZONE", "Column", "GroupHeading", "ReportContext", "ReportDocument", "Row", "Subtotal",
    "SummaryLine", "build_table_report", "format_value", "label", "pdf_text", "report_table", "summary_block",
]
