"""Exports: the same table as the page, "*" with its reason and the footnote, the label, never a number that
the report does not publish; CSV with BOM and ";", XLSX with numbers, monthly PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pypdf
from openpyxl import load_workbook

from stella.reporting import exports
from stella.reporting.indicators import LABEL
from stella.reporting.tests import sample_reports as samples


def test_table_of_a_rate_report() -> None:
    table = exports.build_table(samples.k2_report(target=Decimal("22")))
    headers = [c.header for c in table.columns]
    assert headers[:5] == ["Landkreis", "Quote (%)", "Zähler", "Nenner", "Vorjahresmonat (%)"]
    assert "Jahresfortschrittswert (%)" in headers and "Zielwert (%)" in headers and "Ist minus Ziel" in headers
    lb = table.rows[0]
    assert lb.label == "Ludwigsburg" and lb.cells[0].display == "24,2" and lb.cells[1].display == "34"
    tue = table.rows[3]
    assert all(c.display == "*" for c in tue.cells[:-1] if c.display not in ("–", "22,0"))
    assert tue.cells[-1].display.startswith(samples.SECRET_REASON)
    assert table.rows[-1].is_total and table.has_star


def test_csv_has_bom_semicolons_star_label_and_footnote() -> None:
    data = exports.to_csv(samples.k2_report())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Landkreis"
    tue = next(r for r in rows if r and r[0] == "Tübingen")
    assert tue[1:4] == ["*", "*", "*"] and samples.SECRET_REASON in tue[-1]
    assert any(LABEL in r[0] for r in rows if r)
    assert any(r and r[0].startswith("* Aus Datenschutzgründen") for r in rows)


def test_no_suppressed_number_in_any_export() -> None:
    """The report for Tübingen carries no numbers; nothing the exports add may invent one."""
    report = samples.k2_report()
    for row in exports.build_table(report).rows:
        if row.label in ("Tübingen", "Reutlingen"):
            assert {c.display for c in row.cells[:-1]} <= {"*", "–"}
    wb = load_workbook(io.BytesIO(exports.to_xlsx(report)))
    ws = wb["Tabelle"]
    found = False
    for row in ws.iter_rows(values_only=True):
        if row[0] in ("Tübingen", "Reutlingen"):
            found = True
            assert all(v in ("*", "–") for v in row[1:-1] if v is not None)
    assert found


def test_xlsx_numbers_are_numbers() -> None:
    wb = load_workbook(io.BytesIO(exports.to_xlsx(samples.k2_report())))
    ws = wb["Tabelle"]
    assert ws["A1"].value.startswith("Integrationsquote (K2-analog) – September 2026")
    assert ws["A2"].value == LABEL
    lb = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Ludwigsburg")
    assert lb[1] == 24.2 and lb[2] == 34


def test_duration_and_count_tables() -> None:
    dur = exports.build_table(samples.duration_report())
    assert [c.header for c in dur.columns][1:4] == ["Median (Tage)", "1. Quartil (Tage)", "3. Quartil (Tage)"]
    assert dur.rows[0].cells[0].display == "400" and dur.rows[0].cells[1].display == "200"
    count = exports.build_table(samples.count_report())
    assert count.columns[1].header == "Anzahl (Personen)"
    assert count.rows[-1].cells[0].display == "5.400"


def test_monthly_pdf() -> None:
    pdf = exports.monthly_pdf([samples.k2_report(), samples.duration_report(), samples.count_report()],
                              month=samples.MONTH, data_until=samples.MONTH, created="30.11.2026")
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Monatsbericht September 2026" in text and LABEL in text
    assert "Ludwigsburg" in text and "Tübingen" in text and "Aus Datenschutzgründen" in text
    assert "Zeit bis zur ersten Integration" in text


def test_no_data_is_a_dash_not_a_star() -> None:
    from dataclasses import replace

    from stella.reporting.report import Figure

    report = samples.count_report()
    empty = Figure(display="–", suppressed="no_data", reason="keine Daten")
    report = replace(report, rows=[replace(report.rows[0], figure=empty, previous_year=empty)])
    row = exports.build_table(report).rows[0]
    assert [c.display for c in row.cells[:-1]] == ["–", "–"]
    assert not any(c.suppressed for c in row.cells)
