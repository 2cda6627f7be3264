"""Plain-Python measurements over generated demo rows (no database): the figures the demo is calibrated to.

Used by `tests/test_demo_calibration.py` and by `docs/reporting-demo.md` (run
`python -m stella.demo.calibration 20000` for a table). Definitions follow the reporting facts, restricted to
persons of working age (15–64; for the curve 18–64 as in the IAB survey): the official figures count
erwerbsfähige Leistungsberechtigte, and children cannot take up work.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stella.demo.generator import COLUMNS, HISTORY_TABLES, Rows

WORK_KINDS = ("employment", "training", "self_employed")


def _col(table: str, name: str) -> int:
    return COLUMNS[table].index(name)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Figures:
    persons: int = 0
    history_per_person: float = 0.0
    curve: dict[int, float] = field(default_factory=dict)  # k → % employed (18–64)
    curve_n: dict[int, int] = field(default_factory=dict)
    curve_9_men: float = 0.0
    curve_9_women: float = 0.0
    k2: float = 0.0  # integrations in the last 12 complete months ÷ Ø working-age clients of the 12 months before
    k2_all_clients: float = 0.0  # … ÷ Ø of all clients (children included)
    bedarfsdeckend: float = 0.0
    still_employed_12m: float = 0.0
    minijob_rate: float = 0.0
    activation: float = 0.0  # working-age clients in a course or measure, mean over the last 12 Stichtage
    activation_not_employed: float = 0.0
    counselling_median_days: float = 0.0
    recognition_jc_median_days: float = 0.0
    handover_30: float = 0.0
    course_wait_median_days: float = 0.0
    seat_occupancy: float = 0.0

    def table(self) -> str:
        rows = [("Personen", f"{self.persons}"), ("Verlaufsereignisse je Person", f"{self.history_per_person:.1f}")]
        rows += [(f"erwerbstätig {k} J. nach Einreise (n={self.curve_n[k]})", f"{v:.1f} %")
                 for k, v in sorted(self.curve.items())]
        rows += [("… nach 9 Jahren Männer / Frauen", f"{self.curve_9_men:.1f} % / {self.curve_9_women:.1f} %"),
                 ("Integrationsquote (K2-analog, 15–64)", f"{self.k2:.1f} %"),
                 ("… bezogen auf alle Betreuten", f"{self.k2_all_clients:.1f} %"),
                 ("Anteil bedarfsdeckend", f"{self.bedarfsdeckend:.1f} %"),
                 ("nach 12 Monaten beschäftigt", f"{self.still_employed_12m:.1f} %"),
                 ("Minijob-Eintritte je Jahr", f"{self.minijob_rate:.1f} %"),
                 ("Aktivierung (15–64)", f"{self.activation:.1f} %"),
                 ("Aktivierung (15–64, nicht erwerbstätig)", f"{self.activation_not_employed:.1f} %"),
                 ("Tage Erfassung → Erstberatung (Median)", f"{self.counselling_median_days:.0f}"),
                 ("Tage Anerkennung → Termin Jobcenter (Median)", f"{self.recognition_jc_median_days:.0f}"),
                 ("Übergaben in 30 Tagen", f"{self.handover_30:.1f} %"),
                 ("Wartezeit auf Kursplatz (Median, Tage)", f"{self.course_wait_median_days:.0f}"),
                 ("Platzbelegung laufender Kurse", f"{self.seat_occupancy:.1f} %")]
        width = max(len(a) for a, _ in rows)
        return "\n".join(f"{a:<{width}}  {b}" for a, b in rows)


def measure(rows: Rows, today: date) -> Figures:
    """The calibration figures of one or more chunks' rows (see the module docstring)."""
    t = rows.tables
    f = Figures()
    birth: dict[int, date] = {}
    sex: dict[int, str] = {}
    for r in t["people.Person"]:
        birth[r[0]] = r[2]
        sex[r[0]] = r[1]
    f.persons = len(birth)
    f.history_per_person = sum(len(t[h]) for h in HISTORY_TABLES) / max(f.persons, 1)
    person_of_file = {r[0]: r[1] for r in t["cases.CaseFile"]}
    registered = {r[1]: r[2].date() for r in t["cases.CaseFile"]}
    arrival: dict[int, date] = {}
    recognition: dict[int, date] = {}
    for r in t["journey.StatusEvent"]:
        if r[1] == "einreise":
            arrival.setdefault(r[0], r[2])
        elif r[1] == "rechtskraft" and r[0] not in recognition:
            recognition[r[0]] = r[2]
    positive = {r[0] for r in t["journey.StatusEvent"] if r[1] == "bamf_entscheidung" and r[3] != "abgelehnt"}
    recognition = {p: d for p, d in recognition.items() if p in positive}

    work: dict[int, list[tuple[date, date | None, str, Any, str, str]]] = defaultdict(list)
    p_i = {n: _col("offers.Placement", n) for n in ("person_id", "kind", "starts_on", "ends_on",
                                                     "ends_benefit_receipt", "outcome_12m")}
    for r in t["offers.Placement"]:
        work[r[p_i["person_id"]]].append((r[p_i["starts_on"]], r[p_i["ends_on"]], r[p_i["kind"]],
                                          r[p_i["ends_benefit_receipt"]], r[p_i["outcome_12m"]], ""))

    def employed(pid: int, day: date) -> bool:
        return any(kd in WORK_KINDS and s <= day and (e is None or day <= e) for s, e, kd, *_ in work.get(pid, ()))

    def age(pid: int, day: date) -> int:
        b = birth[pid]
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    # Employment by years since arrival (persons 18–64 on the anniversary).
    hits: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_sex: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pid, a in arrival.items():
        for k in range(1, 10):
            day = _add_years(a, k)
            if day > today:
                break
            if not 18 <= age(pid, day) <= 64:
                continue
            e = employed(pid, day)
            hits[k][0] += e
            hits[k][1] += 1
            if k == 9:
                by_sex[sex[pid]][0] += e
                by_sex[sex[pid]][1] += 1
    f.curve = {k: 100 * h / n for k, (h, n) in hits.items() if n}
    f.curve_n = {k: n for k, (_, n) in hits.items() if n}
    f.curve_9_men = 100 * by_sex["m"][0] / max(by_sex["m"][1], 1)
    f.curve_9_women = 100 * by_sex["f"][0] / max(by_sex["f"][1], 1)

    # The last 12 complete months and the 12 before them (the K2 denominator window).
    last = today.year * 12 + today.month - 2  # month index (year*12 + month-1) of the last complete month
    months = [last - i for i in range(11, -1, -1)]
    prev = [m - 1 for m in months]

    def stichtag(m: int) -> date:
        return _month_end(m // 12, m % 12 + 1)

    def stock(m: int, working_age: bool) -> int:
        day = stichtag(m)
        return sum(1 for pid, reg in registered.items() if reg <= day and (not working_age or 15 <= age(pid, day) <= 64))

    avg_wa = sum(stock(m, True) for m in prev) / 12
    avg_all = sum(stock(m, False) for m in prev) / 12
    lo, hi = date(months[0] // 12, months[0] % 12 + 1, 1), stichtag(months[-1])
    integrations, minijobs = 0, 0
    bd = [0, 0]
    for spells in work.values():
        seen: set[tuple[int, int]] = set()
        for s, _e, kd, _bd, _o12, _ in sorted(spells):
            if not lo <= s <= hi:
                continue
            if kd == "minijob":
                minijobs += 1
                continue
            if (s.year, s.month) in seen:
                continue
            seen.add((s.year, s.month))
            integrations += 1
    for spells in work.values():
        for _s, _e, kd, ends_benefit, _o12, _ in spells:
            if kd in WORK_KINDS and ends_benefit is not None:
                bd[0] += bool(ends_benefit)
                bd[1] += 1
    f.k2 = 100 * integrations / max(avg_wa, 1)
    f.k2_all_clients = 100 * integrations / max(avg_all, 1)
    f.minijob_rate = 100 * minijobs / max(avg_wa, 1)
    f.bedarfsdeckend = 100 * bd[0] / max(bd[1], 1)
    cont = [0, 0]
    for pid, spells in work.items():
        for s, _e, kd, *_ in spells:
            probe = _add_years(s, 1)
            if kd == "employment" and probe <= today:
                cont[0] += employed(pid, probe)
                cont[1] += 1
    f.still_employed_12m = 100 * cont[0] / max(cont[1], 1)

    # Seats: enrolments with a seat, per offer.
    o_i = {n: _col("offers.Offer", n) for n in ("id", "kind", "starts_on", "ends_on", "seats")}
    offers = {r[o_i["id"]]: r for r in t["offers.Offer"]}
    e_i = {n: _col("offers.Enrolment", n) for n in ("offer_id", "person_id", "state", "requested_at", "enrolled_on",
                                                     "ended_on")}
    seats: dict[int, list[tuple[date, date | None, int]]] = defaultdict(list)
    waits = []
    for r in t["offers.Enrolment"]:
        if r[e_i["state"]] not in ("enrolled", "completed", "dropped"):
            continue
        offer = offers[r[e_i["offer_id"]]]
        start = max(r[e_i["enrolled_on"]], offer[o_i["starts_on"]])
        seats[r[e_i["person_id"]]].append((start, r[e_i["ended_on"]], r[e_i["offer_id"]]))
        if offer[o_i["kind"]] in ("integration_course", "deufoev"):
            waits.append((r[e_i["enrolled_on"]] - r[e_i["requested_at"]].date()).days)
    f.course_wait_median_days = statistics.median(waits) if waits else 0

    def seated(pid: int, day: date) -> bool:
        return any(s <= day and (e is None or day <= e) for s, e, _ in seats.get(pid, ()))

    act = [0, 0, 0, 0]
    occupied = [0, 0]
    for m in months:
        day = stichtag(m)
        for pid, reg in registered.items():
            if reg <= day and 15 <= age(pid, day) <= 64:
                in_seat = int(seated(pid, day))
                act[0] += in_seat
                act[1] += 1
                if not employed(pid, day):
                    act[2] += in_seat
                    act[3] += 1
        running = {oid for oid, o in offers.items() if o[o_i["starts_on"]] <= day <= o[o_i["ends_on"]]}
        occupied[1] += sum(offers[oid][o_i["seats"]] for oid in running)
        occupied[0] += sum(1 for spells in seats.values() for s, e, oid in spells
                           if oid in running and s <= day and (e is None or day <= e))
    f.activation = 100 * act[0] / max(act[1], 1)
    f.activation_not_employed = 100 * act[2] / max(act[3], 1)
    f.seat_occupancy = 100 * occupied[0] / max(occupied[1], 1)

    # Appointments, counselling, recognition → Jobcenter, hand-overs.
    a_i = {n: _col("journey.Appointment", n) for n in ("person_id", "agency_id", "starts_at", "cancelled_at")}
    first_contact: dict[int, date] = {}
    jc_agencies = _jc_agencies(rows)
    jc_dates: dict[int, list[date]] = defaultdict(list)
    for r in t["journey.Appointment"]:
        if r[a_i["cancelled_at"]] is not None:
            continue
        day = r[a_i["starts_at"]].date()
        pid = r[a_i["person_id"]]
        if day <= today and (pid not in first_contact or day < first_contact[pid]):
            first_contact[pid] = day
        if r[a_i["agency_id"]] in jc_agencies:
            jc_dates[pid].append(day)
    te = {n: _col("cases.TimelineEntry", n) for n in ("case_file_id", "kind", "occurred_at")}
    for r in t["cases.TimelineEntry"]:
        if r[te["kind"]] == "contact":
            pid = person_of_file[r[te["case_file_id"]]]
            day = r[te["occurred_at"]].date()
            if pid not in first_contact or day < first_contact[pid]:
                first_contact[pid] = day
    gaps = [max((d - registered[p]).days, 0) for p, d in first_contact.items()]
    f.counselling_median_days = statistics.median(gaps) if gaps else 0
    rec = []
    for pid, day in recognition.items():
        after = [d for d in jc_dates.get(pid, ()) if d >= day and d <= today]
        if after:
            rec.append((min(after) - day).days)
    f.recognition_jc_median_days = statistics.median(rec) if rec else 0
    h_i = {n: _col("journey.HandOver", n) for n in ("state", "effective_date", "completed_at")}
    done = [(r[h_i["completed_at"]].date() - r[h_i["effective_date"]]).days for r in t["journey.HandOver"]
            if r[h_i["state"]] == "completed"]
    f.handover_30 = 100 * sum(1 for d in done if d <= 30) / max(len(done), 1)
    return f


def _jc_agencies(rows: Rows) -> set[int]:
    """Ids of the Jobcenters: the agencies of the Jobcenters' lead participations (rows carry no codes)."""
    from stella.demo.catalog import PARTICIPATION_BASIS

    i = _col("cases.Participation", "legal_basis")
    return {r[1] for r in rows.tables["cases.Participation"] if r[i] == PARTICIPATION_BASIS["JC"]}


def generate(persons: int, *, seed: int = 1, today: date = date(2026, 3, 16)) -> Rows:
    """`persons` synthetic persons in memory (placeholder ids for agencies and users)."""
    from stella.demo.generator import CountingIds, Generator
    from stella.demo.setup import agency_specs, demo_accounts

    agencies = {s.code: i + 1 for i, s in enumerate(agency_specs())}
    staff = {(code, role): i + 1 for i, (_, code, role) in enumerate(demo_accounts())}
    return Generator(seed=seed, today=today, agencies=agencies, staff=staff, ids=CountingIds()).chunk(0, persons)


if __name__ == "__main__":  # pragma: no cover - a report for the documentation
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    django.setup()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(measure(generate(n), date(2026, 3, 16)).table())
