"""The journey of a generated person after registration: appointments (first counselling, the Jobcenter's
first appointment after recognition, follow-ups, each noted in the timeline), language courses and
measures (runs of `COURSE_TYPES` generated on demand per district, so that waiting times and seat
occupancy are meaningful), placements into work, training, self-employment and minijobs, and the completed
hand-over of the lead from the Landratsamt to the Jobcenter.

Employment is a simple event-history model, calibrated to the IAB-BAMF-SOEP curve of refugees' employment
by years since arrival (7 % after 1 year, 32 % after 3, 50 % after 5, 68 % after 8; men ≈ 76 %, women
≈ 35 % after 9) and to the SGB II key figures (integration rate ≈ 20–25 % a year, ≈ 44 % of integrations
bedarfsdeckend, ≈ 75 % still employed 12 months later, minijob entries ≈ 5–8 % a year): a monthly hazard of
taking up work that depends on the legal status on that day (no work while in the Erstaufnahme or barred,
little during the asylum procedure or with a Duldung), on language (low while in a course, higher after
B1), sex, age and an individual factor; jobs end with a hazard that is high in the probation period; on a
job's end some change straight to another job (a new integration), the others search again. The curve is
checked by `tests/test_demo_calibration.py`; the model and its tolerances are documented in
docs/reporting-demo.md.

Deterministic: everything is drawn from the chunk's random stream in a fixed order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from stella.demo.catalog import (
    CANCEL_REASONS,
    COURSE_TYPES,
    DISTRICT_BY_CODE,
    EMPLOYERS,
    FIRST_COUNSELLING,
    FIRST_JC_APPOINTMENT,
    FOLLOW_UPS,
    GOOD_PROSPECTS,
    SAFE_COUNTRIES,
    UKRAINE_HANDOVER,
    CourseType,
)

MONTH = 30.44  # days
#: Monthly hazard of taking up work for a man aged 25–49 with full access to the labour market.
BASE_HAZARD = 0.068
#: Monthly hazard of a job ending: in the first 6 months (probation), afterwards.
EXIT_EARLY, EXIT_LATE = 0.08, 0.021
#: Share of job ends followed by another job within six weeks (a job change: a new integration).
JOB_CHANGE = 0.4
#: Monthly hazard of starting a minijob while not employed (K2E1-style entries ≈ 5–8 % a year).
MINIJOB_HAZARD = 0.012
#: Monthly hazard of starting a measure (PerF, KompAS, EQ, MAG) while not employed and allowed to work.
MEASURE_HAZARD = 0.16

#: Alphabetisation courses are more frequent for persons from these countries.
ALPHA_ORIGINS = frozenset({"AFG", "SOM", "ERI", "GMB", "NGA"})
DROP_REASONS = ("Arbeitsaufnahme", "Umzug in einen anderen Landkreis", "Krankheit", "Kinderbetreuung nicht gesichert")
HANDOVER_SUMMARY = {"version": 1, "categories": ["identity", "residence", "benefits"], "withheld": [],
                    "participations": [], "open_tasks": {"count": 0, "items": []}, "entries": {}, "demo": True}


_SLOTS = tuple(time(h, m, tzinfo=UTC) for h in range(7, 15) for m in (0, 15, 30, 45))


@dataclass
class Life:
    """What the journey needs to know about a generated person."""

    pid: int
    fid: int
    sex: str
    birth: date
    iso3: str
    district: str
    status: str
    basis: str
    arrival: date  # the person's own arrival (the birthday if born here)
    registered: date
    vu_start: date
    decided: date | None
    final: date | None
    jc_since: date | None
    lra_lead: bool  # the Landratsamt led the file before the Jobcenter
    parent: bool  # lives with own children
    partner: bool  # lives with a partner
    mother_tongue: str
    municipality: str


@dataclass
class Run:
    offer_id: int
    starts_on: date
    ends_on: date
    free: int


class Journeys:
    """Writes the journey rows of one person into the chunk's `Rows` (see the module docstring)."""

    def __init__(self, *, today: date, now: datetime, agencies: dict[str, int], municipalities: dict[str, int],
                 user: Callable[[str, str], int | None], take_id: Callable[[str, int], list[int]]) -> None:
        self.today = today
        self.now = now
        self.agencies = agencies
        self.municipalities = municipalities
        self.user = user
        self.take_id = take_id
        self.runs: dict[tuple[str, str], dict[int, list[Run]]] = {}

    def new_chunk(self) -> None:
        """Course runs are not shared between chunks (each chunk writes its own offers)."""
        self.runs = {}

    # -- helpers -----------------------------------------------------------------------------------

    def _at(self, rng: random.Random, day: date) -> datetime:
        """A quarter hour between 8:00 and 15:45 (local time, stored in UTC) on `day`."""
        return datetime.combine(day, _SLOTS[int(rng.random() * len(_SLOTS))])

    @staticmethod
    def _lognormal_days(rng: random.Random, median: float, sigma: float) -> int:
        return max(1, int(median * math.exp(sigma * rng.gauss(0.0, 1.0))))

    @staticmethod
    def _age(birth: date, day: date) -> int:
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    def _lead(self, life: Life, day: date) -> str:
        if life.jc_since is not None and day >= life.jc_since:
            return f"JC-{life.district}"
        return f"LRA-{life.district}"

    # -- the whole journey -------------------------------------------------------------------------

    def write(self, rng: random.Random, rows: Any, life: Life) -> tuple[str, date | None]:
        """Write the journey; returns (German level reached in courses, date of the first counselling)."""
        reg_age = self._age(life.birth, life.registered)
        first_counselling = self._appointments(rng, rows, life) if reg_age >= 16 else None
        self._handover(rng, rows, life)
        level = ""
        courses: list[tuple[date, date | None, str]] = []  # (seat from, until, level reached)
        if reg_age >= 16 or self._age(life.birth, self.today) >= 18:
            level, courses = self._language(rng, rows, life)
            jobs = self._employment(rng, rows, life, courses)
            self._minijobs_and_measures(rng, rows, life, jobs)
        return level, first_counselling

    # -- appointments ------------------------------------------------------------------------------

    def _appointment(self, rng: random.Random, rows: Any, life: Life, code: str, day: date, purpose: str,
                     cancellable: bool = True, note: bool = True) -> bool:
        """One appointment (and, if `note`, its timeline note when it took place); False if it was cancelled."""
        agency = self.agencies[code]
        counsellor = self.user(code, "caseworker")
        start = self._at(rng, day)
        cancelled = cancellable and rng.random() < 0.06
        booked = min(start - timedelta(days=7 + int(rng.random() * 14)), self.now)
        cancelled_at = min(start - timedelta(days=1 + int(rng.random() * 3)), self.now) if cancelled else None
        interpreter = life.iso3 != "UKR" and rng.random() < 0.5
        rows.add("journey.Appointment", (
            life.pid, agency, start, start + timedelta(minutes=45), f"{code.split('-')[0]} {life.municipality}, "
            f"Raum {1 + int(rng.random() * 3)}.{10 + int(rng.random() * 30)}", life.mother_tongue, interpreter,
            purpose, cancelled_at, booked, counsellor, counsellor, counsellor if cancelled else None,
            CANCEL_REASONS[int(rng.random() * len(CANCEL_REASONS))] if cancelled else ""))
        if note and not cancelled and day <= self.today:
            occurred = start + timedelta(minutes=5)
            rows.add("cases.TimelineEntry", (
                life.fid, "contact", "counselling", purpose,
                f"{purpose}: Anliegen und nächste Schritte besprochen"
                f"{' (mit Dolmetscher/in)' if interpreter else ''}.", occurred, counsellor, agency, None,
                min(occurred + timedelta(minutes=50 + int(rng.random() * 300)), self.now)))
        return not cancelled

    def _appointments(self, rng: random.Random, rows: Any, life: Life) -> date | None:
        """First counselling (median ≈ 3 weeks after registration), the Jobcenter's first appointment after
        recognition (median ≈ 5 weeks), follow-ups every few months, and sometimes one in the coming weeks."""
        horizon = self.today + timedelta(days=28)
        first: date | None = None
        day = _workday(life.registered + timedelta(days=self._lognormal_days(rng, 21, 0.6)))
        while day <= horizon:
            if self._appointment(rng, rows, life, self._lead(life, day), day, FIRST_COUNSELLING):
                first = day
                break
            day = _workday(day + timedelta(days=3 + int(rng.random() * 10)))  # rescheduled
        if first is None or first > self.today:
            return None
        jc_first: date | None = None
        if life.jc_since is not None:
            if life.iso3 == "UKR":
                jc_day = _workday(max(life.jc_since, life.registered)
                                  + timedelta(days=self._lognormal_days(rng, 20, 0.6)))
            else:
                recognised = life.final or life.jc_since
                jc_day = _workday(recognised + timedelta(days=max(5, self._lognormal_days(rng, 32, 0.55))))
            code = f"JC-{life.district}"
            while jc_day <= horizon:
                if self._appointment(rng, rows, life, code, jc_day, FIRST_JC_APPOINTMENT):
                    jc_first = jc_day
                    break
                jc_day = _workday(jc_day + timedelta(days=5 + int(rng.random() * 10)))
        # Follow-ups with the lead agency of the day (fewer once the person works: not known here).
        day = first
        count = 0
        while count < 6:
            day = _workday(day + timedelta(days=int(40 + rng.expovariate(1 / 170))))
            if day > horizon:
                break
            if jc_first is not None and abs((day - jc_first).days) < 14:
                continue
            if life.jc_since is not None and life.final is not None and life.final <= day < (jc_first or horizon):
                # Between recognition and the Jobcenter's first appointment nobody invites (the gap measured).
                continue
            code = self._lead(life, day)
            purposes = FOLLOW_UPS[code.split("-")[0]]
            self._appointment(rng, rows, life, code, day, purposes[int(rng.random() * len(purposes))],
                              note=count % 3 == 0)  # not every follow-up gets a note
            count += 1
        return first

    # -- hand-over LRA → JC ------------------------------------------------------------------------

    def _handover(self, rng: random.Random, rows: Any, life: Life) -> None:
        if life.jc_since is None or not life.lra_lead:
            return
        if life.iso3 == "UKR":
            effective = life.jc_since
            delay = int(rng.random() * 20) if effective == UKRAINE_HANDOVER else self._lognormal_days(rng, 14, 0.9)
            reason, basis = "Rechtskreiswechsel §24 AufenthG: Leistungen nach dem SGB II", "§74 SGB II"
        else:
            effective = life.final or life.jc_since
            delay = self._lognormal_days(rng, 18, 0.97)  # ≈ 70 % within 30 days
            reason, basis = "Anerkennung rechtskräftig: Wechsel vom AsylbLG in das SGB II", "§7 SGB II"
        lra, jc = f"LRA-{life.district}", f"JC-{life.district}"
        created = self._at(rng, effective - timedelta(days=int(rng.random() * 10)))
        completed = self._at(rng, effective + timedelta(days=delay))
        decided = min(created + timedelta(days=1 + int(rng.random() * max(delay, 1))), completed)
        state = "completed"
        if completed > self.now:
            completed_at = None
            state = "accepted" if decided <= self.now else "proposed"
        else:
            completed_at = completed
        created = min(created, self.now)
        rows.add("journey.HandOver", (
            life.pid, "benefits_sgb2", self.agencies[lra], self.agencies[jc], reason, basis, effective,
            HANDOVER_SUMMARY, state, "", created, self.user(lra, "caseworker"),
            decided if state != "proposed" else None, self.user(jc, "caseworker") if state != "proposed" else None,
            completed_at, 1))

    # -- courses and measures ----------------------------------------------------------------------

    def _run(self, rng: random.Random, rows: Any, life: Life, ct: CourseType, request: date,
             latest: date | None = None) -> Run | None:
        """A run of `ct` in the person's district starting 2–16 weeks after `request` with a free seat;
        a new run if there is none (its start: ≈ 8 weeks after the request). None if it would start after
        `latest`."""
        by_month = self.runs.setdefault((life.district, ct.key), {})
        lo = request + timedelta(days=14)
        hi = request + timedelta(days=150)
        best: Run | None = None
        for month in range(lo.year * 12 + lo.month, hi.year * 12 + hi.month + 1):
            for run in by_month.get(month, ()):
                if run.free > 0 and lo <= run.starts_on <= hi and (best is None or run.starts_on < best.starts_on):
                    best = run
            if best is not None:  # months ascend: no later month has an earlier run
                break
        if best is None:
            start = request + timedelta(days=max(14, min(self._lognormal_days(rng, 70, 0.45), 240)))
            if start.weekday() != 0:
                start += timedelta(days=7 - start.weekday())  # courses start on Mondays
            if latest is not None and start > latest:
                return None
            best = Run(self.take_id("offers.Offer", 1)[0], start, start + timedelta(days=ct.days), ct.seats)
            d = DISTRICT_BY_CODE[life.district]
            language = ct.kind in ("integration_course", "deufoev")
            owner = f"{ct.owner}-{life.district}" if ct.owner != "AA" else f"AA-{d.bezirk}"
            provider = d.kt_name if language else f"Bildungszentrum {d.landkreis}"
            state = "open" if start > self.today else "closed"
            created = min(self._at(rng, start - timedelta(days=90)), self.now)
            rows.add("offers.Offer", (
                best.offer_id, ct.kind, ct.title, ct.measure_type, ct.module, ct.target_level, provider,
                self.agencies[f"KT-{life.district}"] if language else None, self.agencies[owner],
                self.municipalities[life.district], start, best.ends_on, ct.seats, ct.min_level, ct.childcare,
                ct.women_only, ct.part_time, False, state, created, 1))
            by_month.setdefault(start.year * 12 + start.month, []).append(best)
        elif latest is not None and best.starts_on > latest:
            return None
        best.free -= 1
        return best

    def _enrol(self, rng: random.Random, rows: Any, life: Life, ct: CourseType, request: date, *,
               complete: float, levels: tuple[tuple[str, float], ...], latest: date | None = None,
               drop_on: date | None = None) -> tuple[date, date | None, str, bool] | None:
        """Book a seat; returns (seat from, seat until or None, level reached, completed) or None."""
        if request > self.today:
            return None
        run = self._run(rng, rows, life, ct, request, latest)
        if run is None:
            return None
        agency = self.agencies[self._lead(life, request)]
        requested_at = self._at(rng, request)
        if run.starts_on > self.today:
            rows.add("offers.Enrolment", (run.offer_id, life.pid, "waiting", requested_at, None, None, "", "", "",
                                          agency, 1))
            return None
        enrolled = max(request, run.starts_on - timedelta(days=int(rng.random() * 10)))
        start = run.starts_on
        ended: date | None = None
        reached, note, reason = "", "", ""
        if drop_on is not None and start <= drop_on < run.ends_on:
            state, ended, reason = "dropped", drop_on, DROP_REASONS[0]
        elif rng.random() > complete:
            state = "dropped"
            ended = start + timedelta(days=int((0.1 + rng.random() * 0.7) * (run.ends_on - start).days))
            reason = DROP_REASONS[1 + int(rng.random() * (len(DROP_REASONS) - 1))]
        else:
            state, ended = "completed", run.ends_on
            r = rng.random()
            for lvl, p in levels:
                if r < p:
                    reached = lvl
                    break
                r -= p
            note = (f"DTZ {reached} bestanden" if ct.kind == "integration_course" else f"DTB {reached} bestanden") \
                if reached and ct.kind != "measure" else "teilgenommen" if ct.kind == "measure" else \
                "teilgenommen, Zielniveau nicht erreicht"
        if ended is not None and ended > self.today:
            state, ended, reached, note, reason = "enrolled", None, "", "", ""
        rows.add("offers.Enrolment", (run.offer_id, life.pid, state, requested_at, enrolled, ended, reached, note,
                                      reason, agency, 1))
        return start, ended, reached, state == "completed"

    def _course_access(self, life: Life) -> date | None:
        """From when the person may attend an integration course (§44 AufenthG, §44 Abs. 4 for Gestattung)."""
        if life.iso3 == "UKR":
            return life.arrival + timedelta(days=20)
        good = life.iso3 in GOOD_PROSPECTS
        if life.status in ("protected", "bleiberecht"):
            if good:
                return max(life.arrival + timedelta(days=60), life.vu_start)
            return life.final or life.decided
        if life.status == "pending":
            if good:
                return max(life.arrival + timedelta(days=60), life.vu_start)
            if life.iso3 in SAFE_COUNTRIES:
                return None
            return life.arrival + timedelta(days=540) if life.pid % 4 == 0 else None
        if life.status == "duldung" and "60b" not in life.basis and life.decided and life.pid % 4 == 1:
            return life.decided + timedelta(days=90)
        return None

    def _language(self, rng: random.Random, rows: Any,
                  life: Life) -> tuple[str, list[tuple[date, date | None, str]]]:
        access = self._course_access(life)
        out: list[tuple[date, date | None, str]] = []
        if access is None:
            return "", out
        access = max(access, life.registered, _birthday(life.birth, 16))
        age = self._age(life.birth, access)
        take = 0.88 if age < 50 else 0.6 if age < 60 else 0.25
        if life.parent and life.sex == "f":
            take -= 0.1
        if rng.random() >= take:
            return "", out
        key = "ik"
        r = rng.random()
        if r < (0.3 if life.iso3 in ALPHA_ORIGINS else 0.08):
            key = "ik_alpha"
        elif life.sex == "f" and life.parent and r < 0.5:
            key = "ik_frauen" if r < 0.3 else "ik_kinder"
        request = access + timedelta(days=self._lognormal_days(rng, 45, 0.7))
        levels = (("A2", 0.7),) if key == "ik_alpha" else (("B1", 0.58), ("A2", 0.3))
        booked = self._enrol(rng, rows, life, COURSE_TYPES[key], request, complete=0.82, levels=levels)
        best = ""
        if booked is None:
            return best, out
        start, until, reached, done = booked
        out.append((start, until, reached))
        best = reached
        if done and reached == "B1" and age < 55 and rng.random() < 0.45 and until is not None:
            key2 = "deufoev_pflege" if life.sex == "f" and rng.random() < 0.3 else "deufoev"
            request2 = until + timedelta(days=self._lognormal_days(rng, 40, 0.6))
            booked2 = self._enrol(rng, rows, life, COURSE_TYPES[key2], request2, complete=0.88,
                                  levels=(("B2", 0.55), ("B1", 0.3)))
            if booked2 is not None:
                out.append((booked2[0], booked2[1], booked2[2]))
                if booked2[2] == "B2":
                    best = "B2"
        return best, out

    # -- employment --------------------------------------------------------------------------------

    def _work_from(self, life: Life) -> date | None:
        if life.iso3 == "UKR":
            return life.arrival + timedelta(days=14)
        if life.iso3 in SAFE_COUNTRIES and life.status != "bleiberecht":
            return None  # §61 Abs. 2 S. 4 AsylG; Duldung §60a Abs. 6
        if life.status == "duldung" and "60b" in life.basis and life.decided and \
                (life.decided - life.arrival).days < 120:
            return None
        return max(life.arrival + timedelta(days=90), life.vu_start)

    def _legal(self, life: Life, day: date) -> float:
        """Factor of the job-finding hazard by the legal status on `day` (the demo's own status path)."""
        if life.iso3 == "UKR":
            return 0.75
        status = life.status
        if status == "protected":
            return 1.0 if life.final and day >= life.final else 0.3
        if status == "bleiberecht":
            if life.decided and day >= life.decided:
                return 1.0
            return 0.45 if day >= life.arrival + timedelta(days=230) else 0.3
        if status == "duldung":
            if life.decided and day >= life.decided + timedelta(days=30):
                return 0.0 if "60b" in life.basis else 0.9 if "60c" in life.basis else 0.35
            return 0.3
        if status == "fiktion":
            return 0.75
        return 0.3  # pending: Gestattung with permission of the Ausländerbehörde

    def _employment(self, rng: random.Random, rows: Any, life: Life,
                    courses: list[tuple[date, date | None, str]]) -> list[tuple[date, date | None, str]]:
        """Simulate the job history; write the placements; return the spells (start, end, kind)."""
        work_from = self._work_from(life)
        if work_from is None:
            return []
        work_from = max(work_from, _birthday(life.birth, 16))
        stop = min(self.today, _birthday(life.birth, 65))
        if work_from >= stop:
            return []
        # The hazard is piecewise constant between these dates.
        points = {work_from}
        for day in (life.final, life.decided, life.decided + timedelta(days=30) if life.decided else None,
                    life.arrival + timedelta(days=230), date(life.birth.year + 25, 1, 1),
                    date(life.birth.year + 50, 1, 1), date(life.birth.year + 58, 1, 1)):
            if day is not None and work_from < day < stop:
                points.add(day)
        for k in range(1, 10):  # integration progresses with the years (networks, recognised skills)
            day = life.arrival + timedelta(days=int(k * 365.25))
            if work_from < day < stop:
                points.add(day)
        for start, until, _ in courses:
            for day in (start, until):
                if day is not None and work_from < day < stop:
                    points.add(day)
        bounds = sorted(points)
        person = math.exp(0.35 * rng.gauss(0.0, 1.0) - 0.06)
        if life.sex == "f":
            person *= 0.1 if life.parent else 0.18
        pieces: list[tuple[date, float]] = []
        for day in bounds:
            age = day.year - life.birth.year
            f = 1.1 if age < 25 else 1.0 if age < 50 else 0.55 if age < 58 else 0.25
            lang = 1.0
            for start, until, reached in courses:
                if start <= day and (until is None or day < until):
                    lang = 0.35
                    break
                if until is not None and until <= day:
                    lang = max(lang, 1.6 if reached in ("B1", "B2") else 1.2 if reached == "A2" else 1.05)
            years = min((day - life.arrival).days / 365.25, 10.0)
            progress = 0.7 + 0.16 * years
            pieces.append((day, BASE_HAZARD * person * f * lang * progress * self._legal(life, day)))

        spells: list[tuple[date, date | None, str]] = []
        t = work_from
        experience = 1.0
        while t < stop:
            found = self._wait(rng, t, pieces, stop, experience)
            if found is None:
                break
            start = found
            age = start.year - life.birth.year
            kind = self._kind(rng, life, age, start)
            end: date | None
            while True:
                end = self._job_end(rng, kind, start)
                spells.append((start, end if end is None or end < self.today else None, kind))
                if end is None or end >= self.today:
                    end = None
                    break
                if kind == "training" and rng.random() < 0.75:  # trained: taken on or hired elsewhere
                    start, kind = end + timedelta(days=1 + int(rng.random() * 30)), "employment"
                elif rng.random() < JOB_CHANGE:
                    start, kind = end + timedelta(days=1 + int(rng.random() * 42)), "employment"
                else:
                    break
                if start >= stop:
                    end = None
                    break
            if end is None:
                break
            t = end + timedelta(days=1)
            experience = 1.6
        self._write_placements(rng, rows, life, spells)
        return spells

    def _wait(self, rng: random.Random, t: date, pieces: list[tuple[date, float]], stop: date,
              factor: float) -> date | None:
        """The first day after `t` on which work starts, for the piecewise constant hazard (per month)."""
        need = rng.expovariate(1.0)
        for i, (start, h) in enumerate(pieces):
            end = pieces[i + 1][0] if i + 1 < len(pieces) else stop
            if end <= t:
                continue
            s = max(start, t)
            rate = h * factor / MONTH  # per day
            if rate <= 0:
                continue
            span = (end - s).days
            if need < rate * span:
                return s + timedelta(days=int(need / rate))
            need -= rate * span
        return None

    def _kind(self, rng: random.Random, life: Life, age: int, start: date) -> str:
        r = rng.random()
        duldung_training = life.status == "duldung" and "60c" in life.basis
        if duldung_training or (age < 27 and r < 0.3):
            return "training"
        if r > 0.97:
            return "self_employed"
        return "employment"

    def _job_end(self, rng: random.Random, kind: str, start: date) -> date | None:
        """The last day of a spell starting on `start` (None: after today)."""
        if kind == "training":
            months = 36.0 if rng.random() < 0.75 else 2 + rng.random() * 16
        elif kind == "self_employed":
            months = rng.expovariate(0.012)
        else:
            e = rng.expovariate(1.0)
            months = e / EXIT_EARLY if e < EXIT_EARLY * 6 else 6 + (e - EXIT_EARLY * 6) / EXIT_LATE
        end = start + timedelta(days=max(14, int(months * MONTH)))
        return None if end >= self.today else end

    def _write_placements(self, rng: random.Random, rows: Any, life: Life,
                          spells: list[tuple[date, date | None, str]]) -> None:
        household_share = 0.3 if life.parent or life.partner else 0.62

        def working(day: date, kinds: tuple[str, ...] = ("employment", "training", "self_employed")) -> int:
            """0: not working on `day`; 1: in the spell given; 2: in another one."""
            for s, e, k in spells:
                if k in kinds and s <= day and (e is None or day <= e):
                    return 1
            return 0

        for i, (start, end, kind) in enumerate(spells):
            outcomes = []
            for months in (6, 12):
                probe = start + timedelta(days=int(months * MONTH))
                if probe > self.today:
                    outcomes.append("")
                elif end is None or probe <= end:
                    outcomes.append("employed")
                elif working(probe):
                    outcomes.append("other_job")
                else:
                    outcomes.append("ended")
            known = start + timedelta(days=92) <= self.today
            p = household_share * (0.45 if kind == "training" else 1.0)
            ends_benefit = (rng.random() < p) if known else None
            code = self._lead(life, start)
            emp = EMPLOYERS[int(rng.random() * len(EMPLOYERS))]
            employer = f"{emp} {life.municipality}" if kind != "self_employed" else "selbständig (eigener Betrieb)"
            rows.add("offers.Placement", (life.pid, kind, employer, start, end, ends_benefit, outcomes[0],
                                          outcomes[1], self.agencies[code],
                                          min(self._at(rng, start - timedelta(days=7)), self.now), 1))
            if start <= self.today and i < 3:
                title = {"training": "Ausbildungsbeginn", "self_employed": "Gründung"}.get(kind, "Arbeitsaufnahme")
                occurred = self._at(rng, start)
                rows.add("cases.TimelineEntry", (
                    life.fid, "note", "placement", title, f"{title} bei {employer} zum {start:%d.%m.%Y}.",
                    occurred, self.user(code, "caseworker"), self.agencies[code], None,
                    min(occurred + timedelta(hours=2), self.now)))

    def _minijobs_and_measures(self, rng: random.Random, rows: Any, life: Life,
                               spells: list[tuple[date, date | None, str]]) -> None:
        """Minijobs and measures in the periods without work (from the permission to work until today)."""
        work_from = self._work_from(life)
        if work_from is None:
            return
        work_from = max(work_from, _birthday(life.birth, 16), life.registered)
        stop = min(self.today, _birthday(life.birth, 63))
        gaps: list[tuple[date, date]] = []
        t = work_from
        for s, e, _ in spells:
            if s > t:
                gaps.append((t, s - timedelta(days=1)))
            t = max(t, (e or self.today) + timedelta(days=1))
        if t < stop:
            gaps.append((t, stop))
        minijob_rate = MINIJOB_HAZARD * (1.3 if life.sex == "f" else 1.0) / MONTH
        measure_rate = MEASURE_HAZARD / MONTH
        for g_start, g_end in gaps:
            if (g_end - g_start).days < 30:
                continue
            day = g_start + timedelta(days=int(rng.expovariate(minijob_rate)))
            while day < g_end:
                until = day + timedelta(days=int(30 + rng.expovariate(1 / 240)))
                end = min(until, g_end)
                rows.add("offers.Placement", (
                    life.pid, "minijob", f"{EMPLOYERS[int(rng.random() * len(EMPLOYERS))]} {life.municipality}",
                    day, end if end < self.today else None, False if day + timedelta(days=92) <= self.today
                    else None, "", "", self.agencies[self._lead(life, day)],
                    min(self._at(rng, day), self.now), 1))
                day = end + timedelta(days=int(30 + rng.expovariate(minijob_rate)))
            day = g_start + timedelta(days=int(rng.expovariate(measure_rate)))
            while day < g_end and self._legal(life, day) > 0:
                key = ("perf", "kompas", "eq", "mag")[int(rng.random() ** 1.3 * 4)]
                if key == "kompas" and life.sex == "m" and rng.random() < 0.3:
                    key = "perf"
                got = self._enrol(rng, rows, life, COURSE_TYPES[key], day, complete=0.85, levels=(),
                                  latest=g_end, drop_on=g_end if g_end < stop else None)  # a job starts
                if got is None:
                    break
                day = (got[1] or self.today) + timedelta(days=int(60 + rng.expovariate(measure_rate)))


def _birthday(birth: date, years: int) -> date:
    """The day a person born on `birth` turns `years` (28 February for 29 February)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def _workday(day: date) -> date:
    """`day`, or the Monday after it if it falls on a weekend (appointments are on working days)."""
    weekday = day.weekday()
    return day + timedelta(days=7 - weekday) if weekday >= 5 else day
