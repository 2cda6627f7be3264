"""Demo data for qualification and work: training places and vacancies per pilot district and, for a
sample of the persons just created, competence profiles (KldB-coded experience, schooling, German level).
Courses, measures, enrolments and placements of every person are written by the bulk generator
(`demo.journeys`), calibrated to the reporting anchors.

Like the bulk loader it writes rows directly and records ONE audit event per run that names the persons it
touched, so that the hash chain stays complete. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from stella.agencies.models import Agency, Municipality
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.competences.kldb import ensure_loaded
from stella.competences.models import (
    Certificate,
    LanguageAssessment,
    LevelSource,
    Occupation,
    SchoolEducation,
    WorkExperience,
)
from stella.demo.catalog import DISTRICTS, District
from stella.demo.setup import SYSTEM, agency_code
from stella.offers.models import WORK_KINDS, MeasureType, Offer, OfferKind
from stella.people.models import LanguageSkill, Person

#: Occupations people bring (KldB 2010 level-5 code, job title as a person from Syria or Afghanistan
#: might give it, its language), weighted by how often they occur.
EXPERIENCE: tuple[tuple[str, str, str, int], ...] = (
    ("29302", "طباخ", "ar", 6), ("28222", "خياط", "ar", 5), ("32101", "کارگر ساختمانی", "fa", 8),
    ("52122", "سائق شاحنة", "ar", 5), ("11101", "دهقان", "fa", 6), ("62101", "بائع", "ar", 6),
    ("25212", "میکانیک موتر", "fa", 4), ("26302", "كهربائي", "ar", 4), ("82312", "حلاق", "ar", 3),
    ("29222", "خباز", "ar", 3), ("33212", "Painter", "en", 3), ("51311", "Warehouse worker", "en", 4),
    ("81302", "ممرضة", "ar", 2), ("84114", "معلم", "ar", 2), ("72212", "محاسب", "ar", 2),
    ("43412", "Software developer", "en", 1), ("24422", "جوشکار", "fa", 2), ("54101", "Прибиральниця", "uk", 3),
)
#: Training places and vacancies: (kind, title, KldB code, employer, min German level, seats, part time,
#: needs driving licence).
JOBS: tuple[tuple[str, str, str, str, str, int, bool, bool], ...] = (
    ("training", "Ausbildung Kfz-Mechatroniker/in", "25212", "Autohaus Kurz", "B1", 2, False, False),
    ("training", "Ausbildung Pflegefachfrau/-mann", "81302", "Klinikum", "B2", 4, False, False),
    ("training", "Ausbildung Elektroniker/in", "26302", "Elektro Maier", "B1", 1, False, False),
    ("vacancy", "Helfer/in Lager (Vollzeit)", "51311", "Logistikzentrum Süd", "A2", 6, False, False),
    ("vacancy", "Koch/Köchin", "29302", "Hotel am Markt", "A2", 2, False, False),
    ("vacancy", "Bauhelfer/in", "32101", "Bau GmbH", "A1", 5, False, False),
    ("vacancy", "Berufskraftfahrer/in C/CE", "52122", "Spedition Keller", "A2", 3, False, True),
    ("vacancy", "Reinigungskraft (Teilzeit)", "54101", "Gebäudeservice Sauber", "A1", 8, True, False),
    ("vacancy", "Verkäufer/in Bäckerei", "62101", "Bäckerei Sonnenschein", "B1", 2, True, False),
)
LEVELS = ("A1", "A2", "B1", "B2", "C1")


@dataclass
class IntegrationResult:
    offers: int = 0
    profiles: int = 0


def _municipality(d: District) -> Municipality:
    return Municipality.objects.get(landkreis__code=f"LK-{d.code}", name=d.city_municipality)


def _offers(rng: random.Random, today: date, agencies: dict[str, Agency],
            occupations: dict[str, Occupation]) -> dict[str, list[Offer]]:
    """The training places and vacancies of each district (courses and measures and their runs are
    written by the bulk generator, see `demo.journeys`). Returns the offers per district code."""
    out: dict[str, list[Offer]] = {}
    now = timezone.now()
    for d in DISTRICTS:
        place = _municipality(d)
        jc, aa, kt = (agencies[agency_code(k, d.code)] for k in ("JC", "AA", "KT"))
        offers = []
        for kind, title, code, employer, min_level, seats, part, licence in JOBS:
            start = today + timedelta(days=30 + int(rng.random() * 120))
            if kind == OfferKind.TRAINING:
                start = date(today.year + (today.month > 8), 9, 1)
            offers.append(Offer(
                kind=kind, title=title, occupation=occupations[code], provider=f"{employer} ({d.landkreis})",
                owner=aa if kind == OfferKind.TRAINING else jc, municipality=place, starts_on=start,
                ends_on=start + timedelta(days=3 * 365) if kind == OfferKind.TRAINING else None, seats=seats,
                min_german_level=min_level, part_time=part, requires_driving_licence=licence, created_at=now,
                measure_type=MeasureType.NONE))
        out[d.code] = Offer.objects.bulk_create(offers)
    return out


def seed_integration(*, seed: int, first_person_id: int, last_person_id: int, today: date | None = None,
                     max_persons: int = 4000) -> IntegrationResult:
    """Training places and vacancies for every pilot district and competence profiles for up to
    `max_persons` adults of the given id range (only if no training places or vacancies exist yet)."""
    result = IntegrationResult()
    if Offer.objects.filter(kind__in=WORK_KINDS).exists():
        return result
    rng = random.Random(f"stella-demo-integration:{seed}")
    today = today or timezone.localdate()
    version = ensure_loaded()
    codes = {c for c, *_ in EXPERIENCE} | {code for _, _, code, *_ in JOBS}
    occupations = {o.code: o for o in Occupation.objects.filter(version=version, code__in=codes)}
    agencies = {a.code: a for a in Agency.objects.all()}
    with transaction.atomic():
        catalogue = _offers(rng, today, agencies, occupations)
        result.offers = sum(len(v) for v in catalogue.values())
        adults = list(Person.objects.filter(pk__range=(first_person_id, last_person_id),
                                            birth_date__lte=date(today.year - 18, today.month, 1))
                      .order_by("pk").values_list("pk", "addresses__municipality")[: max_persons * 2])
        by_muni = {m.name: d.code for d in DISTRICTS for m in Municipality.objects.filter(landkreis__code=f"LK-{d.code}")}
        german = dict(LanguageSkill.objects.filter(person_id__in=[p for p, _ in adults], language="de")
                      .values_list("person_id", "level"))
        weights = [w for *_, w in EXPERIENCE]
        seen: set[int] = set()
        profiles: list[WorkExperience] = []
        assessments: list[LanguageAssessment] = []
        schooling: list[SchoolEducation] = []
        now = timezone.now()
        for pid, muni in adults:
            if pid in seen or len(seen) >= max_persons:
                continue
            seen.add(pid)
            d_code = by_muni.get(muni or "", "LB")
            jc = agencies[agency_code("JC", d_code)]
            code, title, lang, _ = rng.choices(EXPERIENCE, weights)[0]
            profiles.append(WorkExperience(person_id=pid, title_as_given=title, title_language=lang,
                                           occupation=occupations[code] if rng.random() < 0.7 else None,
                                           years=Decimal(1 + int(rng.random() * 12)), recorded_by=jc,
                                           created_at=now))
            schooling.append(SchoolEducation(person_id=pid, years=int(rng.random() * 13), recorded_by=jc,
                                             certificate=rng.choice(list(Certificate.values)), created_at=now))
            level = german.get(pid, "")
            if level and level != "MT":
                assessments.append(LanguageAssessment(
                    person_id=pid, language="de", speaking=level, understanding=level, reading=level, writing=level,
                    source=LevelSource.SELF, assessed_on=today - timedelta(days=30), recorded_by=jc, created_at=now))
        WorkExperience.objects.bulk_create(profiles, batch_size=2000)
        SchoolEducation.objects.bulk_create(schooling, batch_size=2000)
        LanguageAssessment.objects.bulk_create(assessments, batch_size=2000)
        result.profiles = len(profiles)
        audit.record(SYSTEM, AuditAction.CREATE, object_type="demo_integration",
                     object_id=f"{first_person_id}-{last_person_id}",
                     detail={"seed": seed, "offers": result.offers, "profiles": result.profiles,
                             "persons": sorted(seen)[:1] + sorted(seen)[-1:]})
    return result
