from stella.cases import services as files
from stella.core.actor import Actor
from stella.people.services import search_persons
from stella.tests.factories import register


def test_register_search_open_and_note(make_user):
    jc = make_user("JC", "caseworker")
    person = register(jc)
    actor = Actor.for_user(jc)
    assert list(search_persons(actor, name="Muhammad Alhasan")) == [person]
    overview = files.open_file(actor=actor, person_id=person.pk)
    assert "counselling" in overview.readable
    entry = files.add_entry(actor=actor, person_id=person.pk, kind="note", category="counselling", title="Erstberatung")
    assert entry in files.timeline(actor=actor, person_id=person.pk)
