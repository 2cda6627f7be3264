"""A little everyday work through the services, so that a fresh demo has an audit trail to look at:
demo users search, open files, read sections, write counselling notes, and are refused where the policy
says so (a Kursträger opening a file it has no part in, a registration clerk reading counselling notes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from stella.accounts.models import User
from stella.authz.policy import Category
from stella.cases import services as files
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.core.errors import DomainError
from stella.people.models import PersonName
from stella.people.services import search_persons

NOTES = (
    ("Beratungsgespräch", "Stand Integrationskurs besprochen; Anmeldung zum Berufssprachkurs empfohlen."),
    ("Bewerbungsunterlagen", "Lebenslauf gemeinsam überarbeitet, drei Bewerbungen im Bereich Lager/Logistik."),
    ("Rückruf", "Rückfrage zur Kinderbetreuung geklärt; Termin beim Kindergarten vereinbart."),
    ("Anerkennung", "Zeugnisse zur Übersetzung gegeben; Antrag bei der Anerkennungsstelle vorbereitet."),
)


@dataclass
class ActivityResult:
    reads: int = 0
    notes: int = 0
    searches: int = 0
    refusals: int = 0


def _actor(username: str) -> Actor | None:
    user = User.objects.select_related("agency").filter(username=username).first()
    return Actor.for_user(user, purpose="Demo: Fallbearbeitung") if user else None


def simulate(*, seed: int, first_person_id: int, last_person_id: int, files_per_user: int = 8) -> ActivityResult:
    """Work on a few of the persons just created (ids in the given range) as the Ludwigsburg demo users."""
    rng = random.Random(f"stella-demo-activity:{seed}")
    result = ActivityResult()
    today = timezone.localdate()
    jc, lra, benefits = _actor("jc.caseworker"), _actor("lra.caseworker"), _actor("jc.benefits")
    kt, clerk = _actor("kt.caseworker"), _actor("jc.registration")

    def persons_of(code: str) -> list[int]:
        return list(
            Participation.objects.active_on(today)
            .filter(agency__code=code, role="lead", case_file__person__pk__range=(first_person_id, last_person_id))
            .order_by("case_file__person_id").values_list("case_file__person_id", flat=True)[:files_per_user]
        )

    jc_persons, lra_persons = persons_of("JC-LB"), persons_of("LRA-LB")
    if jc:
        for i, pid in enumerate(jc_persons):
            name = PersonName.objects.filter(person_id=pid, kind="registered").first()
            if name is not None:
                list(search_persons(jc, name=f"{name.given_names} {name.family_name}")[:20])
                result.searches += 1
            files.open_file(actor=jc, person_id=pid)
            files.read_section(actor=jc, person_id=pid, category=Category.IDENTITY)
            result.reads += 2
            if i % 2 == 0:
                title, text = NOTES[rng.randrange(len(NOTES))]
                files.add_entry(actor=jc, person_id=pid, kind="contact", category="counselling", title=title,
                                text=text, occurred_at=timezone.now() - timedelta(hours=1 + rng.randrange(72)))
                result.notes += 1
    if benefits:
        for pid in jc_persons[:3]:
            files.read_section(actor=benefits, person_id=pid, category=Category.BENEFITS)
            result.reads += 1
    if lra:
        for pid in lra_persons:
            files.open_file(actor=lra, person_id=pid)
            files.read_section(actor=lra, person_id=pid, category=Category.RESIDENCE)
            result.reads += 2
    refused = [(kt, lambda a, p: files.open_file(actor=a, person_id=p)),
               (clerk, lambda a, p: files.read_section(actor=a, person_id=p, category=Category.COUNSELLING))]
    for who, attempt in refused:
        for pid in jc_persons[:2]:
            if who is None:
                continue
            try:
                attempt(who, pid)
            except DomainError:
                result.refusals += 1
    return result
