"""The shapes of a report as every adapter (web dashboard, exports, API) receives it from
`services.run_report`: only published figures – a suppressed value is never in here, not even hidden."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from stella.reporting.indicators import LABEL, Indicator


@dataclass(frozen=True)
class ReportRequest:
    """What a user asks for. Empty strings mean "all" / "the indicator's default"."""

    indicator: str
    month: date | None = None  # reference month (any day of it); None: the newest month with complete data
    district: str = ""  # Region.code, e.g. LK-LB
    agency: str = ""  # Agency.code
    team: str = ""
    filter_dim: str = ""  # at most one demographic filter (indicators.DEMOGRAPHIC_DIMS) …
    filter_value: str = ""  # … and its value, e.g. filter_dim="sex", filter_value="f"
    breakdown: str = ""  # indicators.BREAKDOWNS; '' = the indicator's default breakdown
    trend_months: int = 13  # length of the trend (breakdown 'month' and the chart)


@dataclass(frozen=True)
class Figure:
    """One published number. When `suppressed` is set, every number is None and `display` is "*"."""

    display: str  # German formatting: "21,3 %", "1.204", "*", "–" (not computable)
    value: Decimal | None = None  # the rate (per cent), count, or median days
    numerator: int | None = None
    denominator: Decimal | None = None  # average caseload may be fractional
    quartiles: tuple[Decimal, Decimal, Decimal] | None = None  # durations: Q1, median, Q3 in days
    suppressed: str = ""  # '' | 'primary' | 'secondary' | 'denominator' | 'no_data'
    reason: str = ""  # German, shown beside the "*" (e.g. "weniger als 3 Personen")


@dataclass(frozen=True)
class Row:
    key: str  # the breakdown value ('' for the total row; for 'month' the ISO date of the month)
    label: str  # German label
    figure: Figure
    previous_year: Figure | None = None  # same cell twelve months earlier
    ytd: Figure | None = None  # Jahresfortschrittswert (January … M) for rates of events
    target: Decimal | None = None  # the team lead's target in force for the row's unit and year
    #: parameters of the drill-down request (None where the next level would cross the confidentiality limit)
    drill: dict[str, str] | None = None


@dataclass(frozen=True)
class Report:
    request: ReportRequest
    indicator: Indicator
    month: date  # first day of the reference month
    breakdown: str
    rows: list[Row]
    total: Row
    trend: list[Row] = field(default_factory=list)  # the total over the last `trend_months` months, oldest first
    notes: list[str] = field(default_factory=list)  # German explanations (why "*", what is missing)
    data_until: date | None = None  # newest month with complete data
    label: str = LABEL
