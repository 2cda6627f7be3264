"""The anchor of the reporting benchmark: the K2 numerator and denominator of one district and month computed
directly from the domain tables (placements, participations, addresses, municipalities), without facts or
cells – what a report costs without pre-aggregation.

The definitions follow `reporting.facts` where the domain tables allow it directly: a person is a client of
the district on a day when a lead participation is open on it and the newest address valid that day lies in a
municipality of the district (without an address, or with an unknown municipality: the lead agency's
Landkreis); only persons led from the district or with an address in it at some time are looked at (the
prefilter any hand-written query would use); an integration is a placement of kind employment, training or self-employment starting in the
window while the person was such a client, at most one per person and month; clients are of working age
(15–64 by birth year, as `reporting.facts.WORKING_AGE`). Numerator: integrations in
M-11 … M; denominator: the average of the client counts on the Stichtage of M-12 … M-1 (the windows of
`Measure.INT12` and `Measure.STOCK_AVG12`). The facts know more (status history: departed persons, status
corrections), so the figures can differ slightly; the benchmark prints both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from stella.reporting.cube import add_months

K2_SQL = """
WITH stichtage AS (
  SELECT (date_trunc('month', %(month)s::date) - make_interval(months => g - 1) - interval '1 day')::date AS day
  FROM generate_series(1, 12) AS g
),
candidates AS (  -- persons who can be a client of the district at all: led from it or living there once
  SELECT cf.person_id
  FROM cases_participation pa
  JOIN cases_casefile cf ON cf.id = pa.case_file_id
  JOIN agencies_agency a ON a.id = pa.agency_id
  JOIN agencies_region r ON r.id = a.landkreis_id
  WHERE pa.role = 'lead' AND r.code = %(district)s
  UNION
  SELECT ad.person_id
  FROM people_address ad
  JOIN agencies_municipality m ON m.name = ad.municipality
  JOIN agencies_region r ON r.id = m.landkreis_id
  WHERE r.code = %(district)s
),
pairs AS (  -- (person, day, what): 's' a Stichtag with an open lead participation, 'i' the start of a placement
  SELECT DISTINCT cf.person_id, s.day, 's' AS what
  FROM stichtage s
  JOIN cases_participation pa ON pa.role = 'lead' AND pa.since <= s.day AND (pa.until IS NULL OR pa.until >= s.day)
  JOIN cases_casefile cf ON cf.id = pa.case_file_id
  JOIN candidates c ON c.person_id = cf.person_id
  UNION ALL
  SELECT DISTINCT p.person_id, p.starts_on, 'i'
  FROM offers_placement p
  JOIN candidates c ON c.person_id = p.person_id
  WHERE p.kind IN ('employment', 'training', 'self_employed')
    AND p.starts_on >= %(window_start)s AND p.starts_on <= %(window_end)s
),
located AS (  -- … where the person was a client of the district on that day
  SELECT x.person_id, x.day, x.what
  FROM pairs x
  JOIN people_person pp ON pp.id = x.person_id  -- working age 15–64 by birth year (reporting.facts.WORKING_AGE)
   AND (pp.birth_date IS NULL OR EXTRACT(YEAR FROM x.day) - EXTRACT(YEAR FROM pp.birth_date) BETWEEN 15 AND 64)
  JOIN LATERAL (
    SELECT lk.code FROM cases_casefile cf
    JOIN cases_participation pa ON pa.case_file_id = cf.id AND pa.role = 'lead' AND pa.since <= x.day
                                AND (pa.until IS NULL OR pa.until >= x.day)
    JOIN agencies_agency a ON a.id = pa.agency_id
    LEFT JOIN agencies_region lk ON lk.id = a.landkreis_id
    WHERE cf.person_id = x.person_id
    ORDER BY pa.since DESC, pa.id DESC LIMIT 1) lead ON true
  LEFT JOIN LATERAL (
    SELECT ad.municipality FROM people_address ad
    WHERE ad.person_id = x.person_id AND ad.valid_from <= x.day AND (ad.valid_until IS NULL OR ad.valid_until >= x.day)
    ORDER BY ad.valid_from DESC, ad.id DESC LIMIT 1) addr ON true
  WHERE COALESCE(
    (SELECT CASE WHEN bool_or(r.code = lead.code) THEN lead.code ELSE min(r.code) END
       FROM agencies_municipality m JOIN agencies_region r ON r.id = m.landkreis_id
      WHERE m.name = addr.municipality),
    lead.code) = %(district)s
)
SELECT count(DISTINCT (person_id, date_trunc('month', day))) FILTER (WHERE what = 'i') AS integrations,
       count(*) FILTER (WHERE what = 's') AS person_months
FROM located
"""


@dataclass(frozen=True)
class K2:
    integrations: int
    person_months: int

    @property
    def average_caseload(self) -> Decimal:
        return Decimal(self.person_months) / 12

    @property
    def rate(self) -> Decimal | None:
        if not self.person_months:
            return None
        return (Decimal(self.integrations) * 100 / self.average_caseload).quantize(Decimal("0.1"))


def k2(district: str, month: date) -> K2:
    """K2 of `district` (Region.code) for the reference month containing `month`, straight from the domain."""
    first = month.replace(day=1)
    params = {"district": district, "month": first, "window_start": add_months(first, -11),
              "window_end": add_months(first, 1) - timedelta(days=1),
              "stock_start": add_months(first, -12)}
    with connection.cursor() as cur:
        cur.execute(K2_SQL, params)
        integrations, person_months = cur.fetchone()
    return K2(int(integrations), int(person_months))
