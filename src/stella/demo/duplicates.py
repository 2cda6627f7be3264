"""Demo duplicates: persons registered a second time by another agency, as so often in 2015/16 – another
transliteration, swapped names, a 1 January placeholder, another spelling of the birthplace – and one batch
run of the duplicate detection, so that the review queue (Dubletten) has work to show."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.demo.setup import HOME_DISTRICT, agency_code, demo_username
from stella.linkage import review
from stella.linkage.models import LinkRun
from stella.linkage.synthetic import rule_variant, typo
from stella.people.models import DatePrecision, Person
from stella.people.services import NameIn, PersonIn, register_person


@dataclass
class DuplicatesResult:
    registered: int = 0
    candidates: int = 0


def _vary(rng: random.Random, given: str, family: str) -> tuple[str, str]:
    """One or two of the variations that split files in 2015/16."""
    for _ in range(1 + int(rng.random() < 0.5)):
        roll = rng.random()
        if roll < 0.45:  # another transliteration of one token of the given or the family name
            in_family = rng.random() < 0.5
            tokens = (family if in_family else given).split()
            if tokens:
                i = int(rng.random() * len(tokens))
                tokens[i] = rule_variant(rng, tokens[i]) or tokens[i]
                if in_family:
                    family = " ".join(tokens)
                else:
                    given = " ".join(tokens)
        elif roll < 0.7:
            given, family = family, given  # given and family name swapped
        else:
            family = typo(rng, family)
    return given, family


def seed_duplicates(*, seed: int, first_person_id: int, last_person_id: int, count: int = 12) -> DuplicatesResult:
    """Register `count` demo persons of the home district a second time at the Jobcenter (registration clerk)
    with varied names and dates, then run the duplicate detection once. Only if no run exists yet."""
    result = DuplicatesResult()
    if LinkRun.objects.exists():
        return result
    rng = random.Random(f"stella-demo-duplicates:{seed}")
    jc = agency_code("JC", HOME_DISTRICT)
    jc_takes_part = Participation.objects.filter(case_file__person=OuterRef("pk"), agency__code=jc, until__isnull=True)
    # Files the Jobcenter already works on: its caseworker may then merge both records without asking anyone.
    originals = list(Person.objects.filter(pk__range=(first_person_id, last_person_id), merged_into__isnull=True)
                     .filter(Exists(jc_takes_part)).exclude(birth_date__isnull=True)
                     .prefetch_related("names", "nationalities").order_by("pk")[: count * 4])
    rng.shuffle(originals)
    user = get_user_model().objects.get(username=demo_username("JC", "registration"))
    clerk = Actor.for_user(user, purpose="Demodaten: Doppelerfassung")
    for person in originals[:count]:
        name = person.primary_name
        if name is None or person.birth_date is None:
            continue
        given, family = _vary(rng, name.given_names, name.family_name)
        birth, precision = person.birth_date, person.birth_date_precision
        if rng.random() < 0.4:  # the office did not know the birthday and wrote 1 January
            birth, precision = birth.replace(month=1, day=1), DatePrecision.YEAR
        register_person(actor=clerk, data=PersonIn(
            names=[NameIn(family_name=family, given_names=given)], sex=person.sex, birth_date=birth,
            birth_date_precision=precision, birth_place=person.birth_place if rng.random() < 0.7 else "",
            birth_country=person.birth_country,
            nationalities=[n.country for n in person.nationalities.all()][:1],
        ), legal_basis="Doppelerfassung (Demodaten)")
        result.registered += 1
    run = review.start_run(actor=Actor.system("Demodaten: Dublettenlauf"), enqueue=False)
    run = review.execute_run(run.pk)
    result.candidates = run.candidates
    return result
