"""The dispatch slip the member takes to the job: who is sent where, when, on which request, and by whom."""

from __future__ import annotations

import os
from datetime import datetime, time
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from unioncore_desktop.domain.queries.dispatch import DispatchSlip
from unioncore_desktop.reports.base import (
    FONT,
    FONT_BOLD,
    HAIRLINE,
    INK,
    MUTED,
    ReportContext,
    ReportDocument,
    pdf_text,
)


def _escape(text: str) -> str:
    return pdf_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _start(slip: DispatchSlip, context: ReportContext) -> str:
    """'Monday 07 December 2026 at 07:00 PST': the report time as the employer gave it, in the hall's zone."""
    text = f"{slip.start_on:%A %d %B %Y}"
    if not slip.start_time:
        return text
    try:
        hour, minute = (int(part) for part in slip.start_time.split(":"))
        zone = datetime.combine(slip.start_on, time(hour, minute), context.zone).strftime(" %Z")
    except ValueError:  # not HH:MM: print it as given
        zone = ""
    return f"{text} at {slip.start_time}{zone}"


def _duration(slip: DispatchSlip) -> str:
    days = (f"about {slip.duration_days} business day{'s' if slip.duration_days != 1 else ''}"
            if slip.duration_days else "not given")
    return f"Short call, {days}" if slip.short_call else days[0].upper() + days[1:]


def _foreperson(slip: DispatchSlip) -> str:
    if slip.foreperson:
        return slip.foreperson
    return f"Not on file; employer contact {slip.employer_contact}" if slip.employer_contact else "—"


def hall_line(slip: DispatchSlip, context: ReportContext) -> str:
    """The hall's name, address and phone: where the member calls back from the job."""
    parts = [context.hall_name, slip.hall_address or "", f"Tel. {slip.hall_phone}" if slip.hall_phone else ""]
    return " · ".join(p for p in parts if p)


def slip_lines(slip: DispatchSlip, context: ReportContext) -> list[tuple[str, str]]:
    """The label/value lines, in the order a foreman reads them."""
    kind = ["By-name foreperson (R13)" if slip.by_name else "Referral from the out-of-work list"]
    if slip.short_call:
        kind.append("short call")
    return [
        ("Member", f"{slip.member_name}"),
        ("Card number", slip.card_number),
        ("Employer", slip.employer_name + (f" · {slip.employer_phone}" if slip.employer_phone else "")),
        ("Worksite", ", ".join(p for p in (slip.worksite_name, slip.worksite_address) if p) or "—"),
        ("Report to", slip.report_to or "—"),
        ("Foreperson", _foreperson(slip)),
        ("Start", _start(slip, context)),
        ("Duration", _duration(slip)),
        ("Wage", f"${slip.wage:,.2f} an hour" if slip.wage is not None else "As the agreement sets"),
        ("Job class", slip.job_class or "—"),
        ("Requirements", ", ".join(slip.requirements) or "—"),
        ("Request", f"{slip.request_number} · book {slip.book_name}"),
        ("Dispatch", "; ".join(kind)),
        ("Dispatched by", slip.dispatcher),
        ("Dispatched at", f"{slip.dispatched_at.astimezone(context.zone):%Y-%m-%d %H:%M %Z}"),
    ]


def build_dispatch_slip(path: str | os.PathLike[str], context: ReportContext, slip: DispatchSlip) -> Path:
    """Write the one-page slip to `path` and return it."""
    document = ReportDocument(context)
    value_style = ParagraphStyle("slip_value", fontName=FONT, fontSize=11, leading=14, textColor=INK)
    name_style = ParagraphStyle("slip_name", parent=value_style, fontName=FONT_BOLD, fontSize=14, leading=17)
    document.add(Paragraph(_escape(hall_line(slip, context)), ParagraphStyle(
        "slip_hall", fontName=FONT, fontSize=9.5, leading=12, textColor=MUTED, spaceAfter=8)))
    rows = []
    for i, (caption, value) in enumerate(slip_lines(slip, context)):
        style = name_style if i == 0 else value_style
        rows.append([pdf_text(caption), Paragraph(_escape(value), style)])
    table = Table(rows, colWidths=[1.5 * inch, document.content_width - 1.5 * inch], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), FONT_BOLD, 9.5),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, HAIRLINE),
    ]))
    document.add(table, Spacer(1, 0.5 * inch))
    signature = Table([["", "", ""], [pdf_text("Member"), "", pdf_text("Employer / foreperson (on arrival)")]],
                      colWidths=[3 * inch, 0.5 * inch, 3 * inch], hAlign="LEFT")
    signature.setStyle(TableStyle([
        ("LINEABOVE", (0, 1), (0, 1), 0.75, INK), ("LINEABOVE", (2, 1), (2, 1), 0.75, INK),
        ("FONT", (0, 0), (-1, -1), FONT, 8.5), ("TEXTCOLOR", (0, 1), (-1, 1), MUTED),
        ("TOPPADDING", (0, 0), (-1, 0), 18),
    ]))
    document.add(signature)
    document.add(Spacer(1, 0.3 * inch), Paragraph(_escape(
        f"Dispatch {slip.dispatch_id}. Present this slip when you report; the employer keeps a copy."
        + (f" Questions about this dispatch: call the hall at {slip.hall_phone}." if slip.hall_phone else "")),
        ParagraphStyle("slip_note", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED)))
    return document.build(path)
