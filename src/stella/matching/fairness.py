"""The fairness report of an allocation run: assignment rate and mean fit by sex, nationality group, age band,
district of residence and disability, with the four-fifths rule.

These characteristics are read **here only, for the report** – the score never sees them (`score.py`, its
tests). A group is flagged when its assignment rate is below 80 % of the best-off group's rate in the same
dimension (the "four-fifths rule" of adverse-impact analysis). Groups of fewer than `MIN_GROUP` persons are
shown but neither flagged nor taken as the best-off group: one person more or less would swing their rate.
Nationalities with fewer than `MIN_GROUP` persons are pooled as "andere". Disability is not recorded in Stella
(no field in the file or the competence profile), so that dimension shows one group "nicht erfasst".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from stella.agencies.models import Region
from stella.people.models import Nationality, Person, Sex

FOUR_FIFTHS = 0.8
MIN_GROUP = 5
OTHER = "andere"
NOT_RECORDED = "nicht erfasst"
UNKNOWN = "unbekannt"

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("sex", "Geschlecht"),
    ("nationality", "Staatsangehörigkeit"),
    ("age", "Altersgruppe"),
    ("district", "Landkreis (Wohnort)"),
    ("disability", "Behinderung"),
)
#: (from age, below age, label); the last band is open.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 25, "unter 25"), (25, 35, "25–34"), (35, 45, "35–44"), (45, 55, "45–54"), (55, None, "55 und älter"),
)
NOTES = {
    "disability": "Eine Behinderung wird in Stella nicht erfasst; dieser Teil des Berichts bleibt leer, bis es "
                  "ein Merkmal dafür gibt (nur für diesen Bericht, nie für die Bewertung).",
    "nationality": f"Staatsangehörigkeiten mit weniger als {MIN_GROUP} Personen sind unter „{OTHER}“ "
                   "zusammengefasst; bei mehreren zählt die zuerst erfasste.",
}


@dataclass(frozen=True)
class Line:
    """One candidate of a run: assigned or not, and the fit (score) of the offer assigned."""

    person_id: int
    assigned: bool
    score: int | None


def age_band(birth: date | None, on: date) -> str:
    if birth is None:
        return UNKNOWN
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age < high):
            return label
    return UNKNOWN


def characteristics(person_ids: Iterable[int], on: date, district_of: Mapping[int, int | None]) -> dict[int, dict[str, str]]:
    """Group labels per person and dimension (sex, nationality code, age band on `on`, district name,
    disability). Read for the report only."""
    ids = sorted(set(person_ids))
    persons = {pk: (sex, birth) for pk, sex, birth in
               Person.objects.filter(pk__in=ids).values_list("pk", "sex", "birth_date")}
    nationality: dict[int, str] = {}
    for pid, code in (Nationality.objects.filter(person_id__in=ids, valid_until__isnull=True)
                      .order_by("created_at", "id").values_list("person_id", "country")):
        nationality.setdefault(pid, code)
    names = dict(Region.objects.filter(pk__in={d for d in district_of.values() if d}).values_list("pk", "name"))
    sexes = dict(Sex.choices)
    return {pid: {"sex": sexes.get(persons.get(pid, ("", None))[0], UNKNOWN),
                  "nationality": nationality.get(pid, UNKNOWN),
                  "age": age_band(persons.get(pid, ("", None))[1], on),
                  "district": names.get(district_of.get(pid) or 0, UNKNOWN),
                  "disability": NOT_RECORDED}
            for pid in ids}


def report(lines: Sequence[Line], groups: Mapping[int, Mapping[str, str]]) -> dict[str, Any]:
    """The report as JSON-ready data (stored with the run, rendered by the API and the web UI)."""
    nationality_sizes = Counter(groups.get(line.person_id, {}).get("nationality", UNKNOWN) for line in lines)
    dims = []
    for key, label in DIMENSIONS:
        members: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            group = groups.get(line.person_id, {}).get(key, UNKNOWN)
            if key == "nationality" and nationality_sizes[group] < MIN_GROUP:
                group = OTHER
            members[group].append(line)
        rows = []
        for group, its in members.items():
            assigned = [x for x in its if x.assigned]
            scores = [x.score for x in assigned if x.score is not None]
            rows.append({"group": group, "persons": len(its), "assigned": len(assigned),
                         "rate": round(len(assigned) / len(its), 4),
                         "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
                         "small": len(its) < MIN_GROUP})
        comparable = [r["rate"] for r in rows if not r["small"]]
        best = max(comparable) if comparable else None
        for r in rows:
            r["ratio"] = round(r["rate"] / best, 4) if best else None
            r["flag"] = bool(best and not r["small"] and r["rate"] < FOUR_FIFTHS * best)
        rows.sort(key=lambda r: (r["group"] in (OTHER, UNKNOWN, NOT_RECORDED), -r["persons"], r["group"]))
        dims.append({"key": key, "label": label, "best_rate": best, "groups": rows,
                     "flagged": [r["group"] for r in rows if r["flag"]], "note": NOTES.get(key, "")})
    return {"threshold": FOUR_FIFTHS, "min_group": MIN_GROUP, "persons": len(lines),
            "assigned": sum(1 for x in lines if x.assigned), "dimensions": dims,
            "flags": sum(len(d["flagged"]) for d in dims)}
