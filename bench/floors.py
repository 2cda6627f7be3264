"""The floors: bare SQL that fetches the same rows as each measured operation, in one statement.

They are the anchor of every figure (the operation's time as a multiple of its floor). They use
PostgreSQL's json aggregation to bring back all rows of a file in one round trip; they check nothing
and write no audit event, which is what the operations add on top.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection

_CONTEXT = """
  (SELECT array_agg(pa.role) FROM cases_participation pa
     WHERE pa.case_file_id = cf.id AND pa.agency_id = %(agency)s AND pa.since <= %(today)s
       AND (pa.until IS NULL OR pa.until >= %(today)s)) AS participation,
  (SELECT json_agg(c.categories) FROM cases_consent c JOIN cases_consent_agencies ca ON ca.consent_id = c.id
     WHERE c.case_file_id = cf.id AND ca.agency_id = %(agency)s AND c.valid_from <= %(today)s
       AND c.revoked_at IS NULL AND (c.valid_until IS NULL OR c.valid_until >= %(today)s)) AS consented"""

_NAMES = """(SELECT json_agg(json_build_array(n.id, n.kind, n.given_names, n.family_name, n.script, n.valid_until)
           ORDER BY n.id) FROM people_personname n WHERE n.person_id = p.id {extra})"""
_NATIONALITIES = """(SELECT json_agg(x.country ORDER BY x.id) FROM people_nationality x
           WHERE x.person_id = p.id AND x.valid_until IS NULL)"""

#: GET /persons/{id}: the person, current names and nationalities, the file and the actor's context.
FILE = f"""
SELECT p.id, p.version, p.birth_date, p.birth_date_precision, cf.id,
  {_NAMES.format(extra="AND n.valid_until IS NULL")}, {_NATIONALITIES}, {_CONTEXT}
FROM people_person p JOIN cases_casefile cf ON cf.person_id = p.id
WHERE p.id = %(pid)s"""  # noqa: S608 – constant SQL fragments; values are parameters

#: GET /persons/{id}/sections/identity: all names, identifiers, contacts, identity documents,
#: households with their members, the identity entries of the timeline, and the actor's context.
IDENTITY = f"""
SELECT p.id, p.version, p.sex, p.birth_date, p.birth_date_precision, p.birth_place, p.birth_country, cf.id,
  {_NAMES.format(extra="")}, {_NATIONALITIES},
  (SELECT json_agg(json_build_array(i.id, i.kind, i.value) ORDER BY i.id)
     FROM people_identifier i WHERE i.person_id = p.id),
  (SELECT json_agg(json_build_array(c.id, c.kind, c.value) ORDER BY c.id)
     FROM people_contact c WHERE c.person_id = p.id AND c.valid_until IS NULL),
  (SELECT json_agg(json_build_array(d.id, d.kind, d.number, d.issued_on, d.valid_until, d.issuing_authority,
                                    d.legal_basis))
     FROM people_identitydocument d WHERE d.person_id = p.id AND d.kind = 'passport'),
  (SELECT json_agg(json_build_array(hm.household_id, h.label, h.bg_number, hm.relationship, hm.since, hm.until,
            (SELECT json_agg(json_build_array(o.person_id, o.relationship)) FROM people_householdmember o
              WHERE o.household_id = hm.household_id AND o.person_id <> p.id)))
     FROM people_householdmember hm JOIN people_household h ON h.id = hm.household_id WHERE hm.person_id = p.id),
  (SELECT json_agg(json_build_array(e.id, e.kind, e.title, e.text, e.occurred_at, e.created_at, u.username,
                                    a.name, e.corrects_id) ORDER BY e.occurred_at DESC, e.id DESC)
     FROM cases_timelineentry e LEFT JOIN accounts_user u ON u.id = e.author_id
     LEFT JOIN agencies_agency a ON a.id = e.agency_id
     WHERE e.case_file_id = cf.id AND e.category = 'identity'),
  {_CONTEXT}
FROM people_person p JOIN cases_casefile cf ON cf.person_id = p.id
WHERE p.id = %(pid)s"""  # noqa: S608 – constant SQL fragments; values are parameters


def search_sql(n_keys: int, cap: int | None = None) -> str:
    """First page (20, by id) of the persons that have every key, with names and nationalities, and
    the number of hits (counted up to `cap` + 1 if given): the keys are intersected by joins on the
    (key, person) index."""
    joins = "".join(
        f" JOIN people_namekey k{i} ON k{i}.person_id = k0.person_id AND k{i}.key = %(k{i})s"
        for i in range(1, n_keys)
    )
    limit = f" LIMIT {int(cap) + 1}" if cap else ""
    return f"""
WITH hits AS NOT MATERIALIZED (SELECT k0.person_id FROM people_namekey k0{joins} WHERE k0.key = %(k0)s)
SELECT (SELECT count(*) FROM (SELECT 1 FROM hits{limit}) h), p.id, p.version, p.birth_date, p.birth_date_precision,
  {_NAMES.format(extra="AND n.valid_until IS NULL")}, {_NATIONALITIES}
FROM people_person p WHERE p.id IN (SELECT person_id FROM hits ORDER BY person_id LIMIT 20)
ORDER BY p.id"""  # noqa: S608 – constant SQL fragments; values are parameters


#: POST /persons/{id}/timeline: the one row a note is.
NOTE = """
INSERT INTO cases_timelineentry (case_file_id, kind, category, title, text, occurred_at, author_id, agency_id,
                                 created_at)
SELECT cf.id, 'note', 'counselling', %(title)s, %(text)s, %(now)s, %(author)s, %(agency)s, %(now)s
FROM cases_casefile cf WHERE cf.person_id = %(pid)s
RETURNING id"""


def run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def file(pid: int, agency: int, today: date) -> Any:
    return run(FILE, {"pid": pid, "agency": agency, "today": today})


def identity(pid: int, agency: int, today: date) -> Any:
    return run(IDENTITY, {"pid": pid, "agency": agency, "today": today})


def search(keys: list[str], cap: int | None = None) -> Any:
    return run(search_sql(len(keys), cap), {f"k{i}": k for i, k in enumerate(keys)})


def note(pid: int, author: int, agency: int, now: datetime) -> Any:
    return run(NOTE, {"pid": pid, "author": author, "agency": agency, "now": now, "title": "Vermerk (Messung)",
                      "text": "Bare-SQL-Vergleich"})
