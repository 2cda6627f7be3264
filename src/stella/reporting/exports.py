"""The table of a report as the web page, CSV, XLSX and the monthly PDF show it (ADR 0015).

`build_table` turns a `Report` (only published figures) into rows of display strings and numbers; every
export writes exactly that table, so an export can never show more than the page: a suppressed figure is
"*" with its reason, and its numbers do not exist in the `Report` to begin with.

Formats: CSV in UTF-8 with byte-order mark and ";" as separator, numbers in German notation (decimal comma)
– what Excel and LibreOffice in a German locale open correctly with a double click –, first the header row
and the data rows, then after an empty line the label, the footnote and the notes. XLSX (openpyxl) with real
numbers in the cells and "*" as text. The monthly report is a PDF (ReportLab platypus, Noto fonts shipped
with the letters).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from stella.reporting.indicators import DIM_LABELS, LABEL_NOTE, Indicator, Kind
from stella.reporting.numbers import de_number
from stella.reporting.query import month_label
from stella.reporting.report import Figure, Report, Row

#: The footnote for "*" (BA wording, adapted to the rate rule of issue 7).
STAR_NOTE = ("* Aus Datenschutzgründen und Gründen der statistischen Geheimhaltung nicht ausgewiesen: Werte, die "
             "auf weniger als 3 Personen oder 3 Haushalten beruhen, Werte, aus denen rechnerisch auf solche "
             "geschlossen werden könnte, und Quoten mit einem Nenner unter 10.")
DASH_NOTE = "– nicht berechenbar (keine Daten für diesen Zeitraum oder diese Einheit)."
Value = Decimal | int | str | None


def month_short(month: date) -> str:
    return f"{month.month:02d}/{month.year}"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = True


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown (German format, "*" or "–") and, for XLSX, the number behind it."""

    display: str
    value: Value = None
    suppressed: bool = False


@dataclass(frozen=True)
class TableRow:
    key: str
    label: str
    cells: list[Cell]
    reason: str = ""
    drill: dict[str, str] | None = None
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[Column]
    rows: list[TableRow]
    notes: list[str] = field(default_factory=list)
    label_note: str = LABEL_NOTE

    @property
    def has_star(self) -> bool:
        return any(c.suppressed for r in self.rows for c in r.cells)


NO_DATA = "no_data"


def _star(figure: Figure | None) -> bool:
    """Suppressed for confidentiality ("*"); 'no_data' is not a secret but a missing number ("–")."""
    return figure is not None and bool(figure.suppressed) and figure.suppressed != NO_DATA


def _num(value: Decimal | int | None, digits: int, figure: Figure | None) -> Cell:
    if _star(figure):
        return Cell("*", "*", suppressed=True)
    if value is None:
        return Cell("–")
    return Cell(de_number(value, digits), value)


def _main(figure: Figure | None, digits: int) -> Cell:
    if figure is None:
        return Cell("–")
    if _star(figure):
        return Cell("*", "*", suppressed=True)
    if figure.value is None or figure.suppressed:
        return Cell(figure.display or "–")
    return Cell(de_number(figure.value, digits), figure.value)


def _digits(indicator: Indicator) -> int:
    return 1 if indicator.kind in (Kind.RATE, Kind.CURVE) else 0


def columns_for(report: Report) -> list[Column]:
    ind = report.indicator
    first = Column("label", DIM_LABELS.get(report.breakdown, report.breakdown or "insgesamt"), numeric=False)
    rows = [*report.rows, report.total]
    has_ytd = any(r.ytd is not None for r in rows)
    has_target = any(r.target is not None for r in rows)
    cols = [first]
    if ind.kind is Kind.DURATION:
        cols += [Column("value", "Median (Tage)"), Column("q1", "1. Quartil (Tage)"), Column("q3", "3. Quartil (Tage)"),
                 Column("n", "Personen"), Column("previous_year", "Vorjahresmonat: Median (Tage)")]
    elif ind.kind is Kind.COUNT:
        cols += [Column("value", f"Anzahl ({ind.unit})"), Column("previous_year", "Vorjahresmonat")]
    else:
        cols += [Column("value", "Quote (%)"), Column("numerator", "Zähler"), Column("denominator", "Nenner"),
                 Column("previous_year", "Vorjahresmonat (%)")]
        if has_ytd:
            cols.append(Column("ytd", "Jahresfortschrittswert (%)"))
    if has_target:
        cols += [Column("target", f"Zielwert ({ind.unit})"), Column("gap", "Ist minus Ziel")]
    cols.append(Column("reason", "Hinweis", numeric=False))
    return cols


def _cells(report: Report, row: Row, cols: Sequence[Column]) -> list[Cell]:
    digits = _digits(report.indicator)
    f = row.figure
    out: list[Cell] = []
    for col in cols[1:]:
        if col.key == "value":
            out.append(_main(f, digits))
        elif col.key in ("q1", "q3"):
            q = f.quartiles
            out.append(_num(None if q is None else q[0 if col.key == "q1" else 2], 0, f))
        elif col.key == "n" or col.key == "numerator":
            out.append(_num(f.numerator, 0, f))
        elif col.key == "denominator":
            den = f.denominator
            out.append(_num(den, 0 if den is not None and den == den.to_integral_value() else 1, f))
        elif col.key == "previous_year":
            out.append(_main(row.previous_year, digits))
        elif col.key == "ytd":
            out.append(_main(row.ytd, digits))
        elif col.key == "target":
            out.append(Cell(de_number(row.target, digits), row.target) if row.target is not None else Cell("–"))
        elif col.key == "gap":
            if row.target is not None and not f.suppressed and f.value is not None:
                gap = f.value - row.target
                sign = "+" if gap > 0 else ""
                out.append(Cell(sign + de_number(gap, digits), gap))
            elif _star(f):
                out.append(Cell("*", "*", suppressed=True))
            else:
                out.append(Cell("–"))
        elif col.key == "reason":
            reasons = [f.reason] if f.suppressed and f.reason else []
            if row.previous_year is not None and _star(row.previous_year) and row.previous_year.reason:
                reasons.append(f"Vorjahr: {row.previous_year.reason}")
            text = "; ".join(reasons)
            out.append(Cell(text, text))
    return out


def build_table(report: Report) -> Table:
    cols = columns_for(report)
    rows = [TableRow(r.key, r.label, _cells(report, r, cols), r.figure.reason, r.drill) for r in report.rows]
    total = report.total
    rows.append(TableRow(total.key, total.label or "insgesamt", _cells(report, total, cols), total.figure.reason,
                         total.drill, is_total=True))
    caption = f"{report.indicator.title} – {month_label(report.month)} ({report.label})"
    return Table(caption, cols, rows, notes=list(report.notes))


def footer_lines(report: Report, table: Table) -> list[str]:
    lines = [table.label_note, f"Bezugsmonat: {month_label(report.month)}"]
    if report.data_until:
        lines.append(f"Datenstand: Daten bis {month_label(report.data_until)}")
    lines.append(f"Formel: {report.indicator.formula}")
    lines.append(STAR_NOTE)
    lines.append(DASH_NOTE)
    lines.extend(table.notes)
    return lines


def to_csv(report: Report) -> bytes:
    table = build_table(report)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        writer.writerow([row.label, *(c.display for c in row.cells)])
    writer.writerow([])
    for line in footer_lines(report, table):
        writer.writerow([line])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    table = build_table(report)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tabelle"
    ws.append([table.caption])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([report.label])
    ws.append([])
    ws.append([c.header for c in table.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    number_format = "#,##0.0" if _digits(report.indicator) else "#,##0"
    for row in table.rows:
        values: list[object] = [row.label]
        for c in row.cells:
            v = c.value
            values.append(float(v) if isinstance(v, Decimal) else v if v is not None else c.display)
        ws.append(values)
        for col_idx, c in enumerate(row.cells, start=2):
            cell = ws.cell(row=ws.max_row, column=col_idx)
            if isinstance(c.value, Decimal | int) and not isinstance(c.value, bool):
                cell.number_format = number_format
            elif c.display in ("*", "–"):
                cell.alignment = Alignment(horizontal="right")
        if row.is_total:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    ws.append([])
    for line in footer_lines(report, table):
        ws.append([line])
    ws.column_dimensions["A"].width = 34
    for letter in "BCDEFGHI":
        ws.column_dimensions[letter].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- monthly report (PDF) --------------------------------------------------------------------------------------


@cache
def _pdf_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from stella.journey.letters import FONT_DIR

    pdfmetrics.registerFont(TTFont("StellaReport", str(FONT_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("StellaReport-Bold", str(FONT_DIR / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily("StellaReport", normal="StellaReport", bold="StellaReport-Bold")
    return "StellaReport", "StellaReport-Bold"


def monthly_pdf(reports: Sequence[Report], *, month: date, data_until: date | None, created: str) -> bytes:
    """The monthly report: for every indicator a table of the Land and each district (the reports are
    requested with breakdown 'district'), with label and footnotes. Only published figures are printed."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    regular, bold = _pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3)
    cell_style = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    head_style = ParagraphStyle("head", parent=cell_style, fontName=bold)

    buf = io.BytesIO()
    title = f"Monatsbericht {month_label(month)} – Stella-Fallbasis"
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title, author="Stella",
                            subject="Auswertungen (Stella-Fallbasis)", lang="de-DE")
    story: list[object] = [Paragraph(escape(title), h1), Paragraph(escape(LABEL_NOTE), body)]
    stand = f"Bezugsmonat {month_label(month)}"
    if data_until:
        stand += f"; Daten bis {month_label(data_until)}"
    story.append(Paragraph(escape(f"{stand}; erstellt {created}."), body))
    notes: list[str] = []
    for report in reports:
        table = build_table(report)
        data = [[Paragraph(escape(c.header), head_style) for c in table.columns]]
        for row in table.rows:
            data.append([Paragraph(escape(row.label), head_style if row.is_total else cell_style),
                         *(Paragraph(escape(c.display), cell_style) for c in row.cells)])
        width = doc.width
        first = 52 * mm
        rest = (width - first - 60 * mm) / max(len(table.columns) - 2, 1)
        col_widths = [first, *([rest] * (len(table.columns) - 2)), 60 * mm]
        pdf_table = PdfTable(data, colWidths=col_widths, repeatRows=1)
        pdf_table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef4")),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f5f8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        heading = Paragraph(escape(f"{report.indicator.title}"), h2)
        formula = Paragraph(escape(f"Formel: {report.indicator.formula}. Amtliche Entsprechung: "
                                   f"{report.indicator.official or '–'}"), small)
        story.append(KeepTogether([heading, formula, Spacer(1, 2 * mm), pdf_table]))
        notes.extend(n for n in table.notes if n not in notes)
    story.append(Spacer(1, 4 * mm))
    for line in (STAR_NOTE, DASH_NOTE, *notes):
        story.append(Paragraph(escape(line), small))

    def page_footer(canvas: object, document: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(regular, 7.5)  # type: ignore[attr-defined]
        canvas.drawString(14 * mm, 8 * mm, f"Stella – {title} – Seite {document.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buf.getvalue()
