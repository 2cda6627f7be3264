"""Hand-built `Report` objects (the shapes of report.py) for the tests of the charts, exports and web pages,
independent of the cube: what a page or export does with published and suppressed figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stella.reporting import indicators
from stella.reporting.report import Figure, Report, ReportRequest, Row

MONTH = date(2026, 9, 1)
DISTRICTS = (("LK-LB", "Ludwigsburg"), ("LK-OG", "Ortenaukreis"), ("LK-RT", "Reutlingen"), ("LK-TÜ", "Tübingen"))
SECRET_REASON = "weniger als 3 Personen"
SECONDARY_REASON = "gesperrt, damit kein gesperrter Wert errechnet werden kann"


def rate(num: int, den: str) -> Figure:
    d = Decimal(den)
    value = (Decimal(num) * 100 / d).quantize(Decimal("0.1"))
    return Figure(display=f"{str(value).replace('.', ',')} %", value=value, numerator=num, denominator=d)


def star(kind: str = "primary", reason: str = SECRET_REASON) -> Figure:
    return Figure(display="*", suppressed=kind, reason=reason)


def months_back(month: date, n: int) -> list[date]:
    out = []
    y, m = month.year, month.month
    for _ in range(n):
        out.append(date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


def k2_report(*, month: date = MONTH, district: str = "", agency: str = "", breakdown: str = "district",
              target: Decimal | None = None) -> Report:
    """K2 by district: Tübingen suppressed (primary), Reutlingen suppressed (secondary), total published."""
    req = ReportRequest("k2", month=month, district=district, agency=agency, breakdown=breakdown)
    ind = indicators.get("k2")
    figures = [rate(34, "140.5"), rate(21, "96.25"), star("secondary", SECONDARY_REASON), star()]
    rows = []
    for (code, name), fig in zip(DISTRICTS, figures, strict=True):
        drill = None if fig.suppressed else {"district": code, "breakdown": "agency"}
        rows.append(Row(code, name, fig, previous_year=rate(30, "130") if not fig.suppressed else star(),
                        ytd=rate(25, "138") if not fig.suppressed else star(), target=target, drill=drill))
    total = Row("", "Baden-Württemberg (Pilotkreise)", rate(61, "290.75"), previous_year=rate(55, "270"),
                ytd=rate(44, "280"), target=target)
    trend = [Row(m.isoformat(), f"{m.month:02d}/{m.year}", rate(50 + i, "280") if i != 3 else star())
             for i, m in enumerate(months_back(month, 13))]
    return Report(req, ind, month, breakdown, rows, total, trend,
                  notes=["Tübingen: weniger als 3 Personen; Reutlingen gesperrt (sekundäre Geheimhaltung)."],
                  data_until=month)


def team_report() -> Report:
    """K2 by team inside one agency: one team published, the next level is closed (drill None)."""
    req = ReportRequest("k2", month=MONTH, district="LK-LB", agency="JC-LB", breakdown="team")
    ind = indicators.get("k2")
    rows = [Row("Team 1", "Team 1", rate(20, "80"), drill=None), Row("Team 2", "Team 2", star(), drill=None)]
    total = Row("", "Jobcenter Ludwigsburg", rate(34, "140.5"))
    return Report(req, ind, MONTH, "team", rows, total, [], notes=[], data_until=MONTH)


def duration_report() -> Report:
    req = ReportRequest("dur_first_integration", month=MONTH, breakdown="district")
    ind = indicators.get("dur_first_integration")

    def dur(n: int, q1: int, med: int, q3: int) -> Figure:
        return Figure(display=f"{med} Tage", value=Decimal(med), numerator=n,
                      quartiles=(Decimal(q1), Decimal(med), Decimal(q3)))

    rows = [Row(code, name, dur(40 + i, 200, 400 + 10 * i, 700)) for i, (code, name) in enumerate(DISTRICTS[:3])]
    rows.append(Row(DISTRICTS[3][0], DISTRICTS[3][1], star()))
    total = Row("", "insgesamt", dur(130, 210, 410, 690), previous_year=dur(120, 220, 430, 720))
    trend = [Row(m.isoformat(), f"{m.month:02d}/{m.year}", dur(100, 200, 400 + i, 700))
             for i, m in enumerate(months_back(MONTH, 13))]
    return Report(req, ind, MONTH, "district", rows, total, trend, data_until=MONTH)


def count_report() -> Report:
    req = ReportRequest("count_district", month=MONTH, breakdown="district")
    ind = indicators.get("count_district")

    def n(v: int) -> Figure:
        return Figure(display=f"{v:,}".replace(",", "."), value=Decimal(v), numerator=v)

    rows = [Row(code, name, n(1200 + i * 100)) for i, (code, name) in enumerate(DISTRICTS)]
    total = Row("", "insgesamt", n(5400), previous_year=n(5100))
    trend = [Row(m.isoformat(), f"{m.month:02d}/{m.year}", n(5000 + 30 * i)) for i, m in enumerate(months_back(MONTH, 13))]
    return Report(req, ind, MONTH, "district", rows, total, trend, data_until=MONTH)


def curve_report() -> Report:
    req = ReportRequest("employment_by_arrival", month=MONTH, breakdown="bucket")
    ind = indicators.get("employment_by_arrival")
    rows = [Row(str(k), f"{k} Jahr" if k == 1 else f"{k} Jahre", rate(5 * k + 3, str(100 - k)) if k < 8 else star())
            for k in range(1, 10)]
    total = Row("", "insgesamt", rate(180, "600"))
    return Report(req, ind, MONTH, "bucket", rows, total, [], data_until=MONTH)
