"""The merge over the API (preview, merge, undo, history) and in the web UI (merge page, history, banner)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from stella.api.tests.conftest import ApiClient, token_for
from stella.audit.models import AuditEvent
from stella.linkage.models import Merge
from stella.people.models import Person
from stella.tests.factories import register
from stella.web.tests.a11y import problems


@pytest.fixture
def pair(make_user):
    user = make_user("JC", "caseworker")
    a = register(user, "Al-Hassan", "Mohammed", date(1990, 1, 1))
    b = register(user, "Alhassan", "Muhammad", date(1990, 1, 1), birth_place="Aleppo")
    return user, a, b


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- API -------------------------------------------------------------------------------------------------------


def test_api_preview_merge_history_and_undo(pair):
    user, a, b = pair
    api = ApiClient(token_for(user))
    r = api.get("/merges/preview", survivor=a.pk, absorbed=b.pk)
    assert r.status_code == 200, r.content
    body = r.json()
    assert [c["field"] for c in body["conflicts"]] == ["birth_place"]
    assert body["conflicts"][0]["absorbed"]["display"] == "Aleppo" and body["may_merge"]
    versions = [body["survivor"]["version"], body["absorbed"]["version"]]

    r = api.post("/merges", {"survivor": a.pk, "absorbed": b.pk, "resolution": {}, "reason": "x",
                             "versions": versions})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "resolution.birth_place"
    r = api.post("/merges", {"survivor": a.pk, "absorbed": b.pk, "resolution": {"birth_place": "absorbed"},
                             "reason": "gleiche AZR", "versions": [versions[0], versions[1] - 1]})
    assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
    r = api.post("/merges", {"survivor": a.pk, "absorbed": b.pk, "resolution": {"birth_place": "absorbed"},
                             "reason": "gleiche AZR", "versions": versions})
    assert r.status_code == 201, r.content
    merge = r.json()
    assert r["Location"].endswith(f"/merges/{merge['id']}")
    assert merge["moved"] and merge["resolution"]["birth_place"]["choice"] == "absorbed"
    assert api.get(f"/merges/{merge['id']}").json()["id"] == merge["id"]
    assert api.get(f"/persons/{b.pk}").json()["merged_into"] == a.pk
    assert api.get(f"/persons/{a.pk}").json()["merged_into"] is None
    assert [m["id"] for m in api.get(f"/persons/{b.pk}/merges").json()] == [merge["id"]]

    r = api.post(f"/merges/{merge['id']}/undo", {"reason": ""})
    assert r.status_code == 422
    r = api.post(f"/merges/{merge['id']}/undo", {"reason": "Irrtum"})
    assert r.status_code == 200 and r.json()["undone_at"]
    r = api.post(f"/merges/{merge['id']}/undo", {"reason": "Irrtum"})
    assert r.status_code == 422 and "bereits" in r.json()["detail"]
    assert api.post("/merges/99999/undo", {"reason": "x"}).status_code == 404


def test_api_bad_input_and_refusals(pair, make_user):
    user, a, b = pair
    api = ApiClient(token_for(user))
    r = api.post("/merges", {"survivor": a.pk, "absorbed": a.pk, "resolution": {}, "reason": "x"})
    assert r.status_code == 422 and "selbst" in r.json()["detail"]
    r = api.post("/merges", {"survivor": a.pk, "absorbed": b.pk, "reason": "x", "extra": 1})
    assert r.status_code == 422
    assert api.get("/merges/preview", survivor=a.pk).status_code == 422
    other = register(make_user("LRA", "caseworker"), "Hassan", "Ali", date(1985, 1, 1))
    r = api.post("/merges", {"survivor": a.pk, "absorbed": other.pk, "resolution": {}, "reason": "x"})
    assert r.status_code == 403 and "Landratsamt" in r.json()["detail"]
    provider = ApiClient(token_for(make_user("KT", "caseworker")))
    assert provider.get("/merges/preview", survivor=a.pk, absorbed=b.pk).status_code == 404
    assert provider.get(f"/persons/{a.pk}/merges").status_code == 404
    assert not Merge.objects.exists()


# --- web -------------------------------------------------------------------------------------------------------


def test_web_merge_page_history_undo_and_banner(pair):
    user, a, b = pair
    web = _web(user)
    url = reverse("web:merge_form") + f"?a={a.pk}&b={b.pk}"
    page = web.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Widerspruch: Geburtsort" in html and "Aleppo" in html and "<fieldset" in html
    assert 'scope="row"' in html
    assert problems(html) == []

    bad = web.post(url, {"survivor": str(a.pk), "version_a": a.version, "version_b": b.version})
    assert bad.status_code == 400
    assert "Bitte wählen Sie, welcher Wert gilt." in bad.content.decode()
    assert problems(bad.content.decode()) == []
    assert not Merge.objects.exists()

    done = web.post(url, {"survivor": str(b.pk), "konflikt_birth_place": str(b.pk), "reason": "Pass verglichen",
                          "confirm": "on", "version_a": a.version, "version_b": b.version})
    assert done.status_code == 302 and done["Location"] == reverse("web:person", args=[b.pk])
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id) == (b.pk, a.pk)
    assert Person.objects.get(pk=b.pk).birth_place == "Aleppo"

    banner = web.get(reverse("web:person", args=[a.pk])).content.decode()
    assert f"zusammengeführt in Person Nr. {b.pk}" in banner
    history = web.get(reverse("web:person_merges", args=[b.pk]))
    assert history.status_code == 200 and "Zusammenführung aufheben" in history.content.decode()
    assert problems(history.content.decode()) == []

    undo_url = reverse("web:merge_undo", args=[merge.pk])
    assert web.post(undo_url, {f"m{merge.pk}-reason": ""}).status_code == 400
    r = web.post(undo_url, {f"m{merge.pk}-reason": "Irrtum"})
    assert r.status_code == 302
    assert Person.objects.get(pk=a.pk).merged_into_id is None
    assert "aufgehoben" in web.get(reverse("web:person_merges", args=[b.pk])).content.decode()


def test_web_merge_page_refusals(pair, make_user):
    user, a, b = pair
    web = _web(user)
    assert web.get(reverse("web:merge_form") + f"?a={a.pk}&b={a.pk}").status_code == 400
    assert web.get(reverse("web:merge_form") + f"?a={a.pk}&b=x").status_code == 404
    other = register(make_user("LRA", "caseworker"), "Hassan", "Ali", date(1985, 1, 1))
    page = web.get(reverse("web:merge_form") + f"?a={a.pk}&b={other.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Landratsamt" in html and "kein Zugriff" in html
    assert 'action=""' not in html and "Zusammenführen</button>" not in html
    provider = _web(make_user("KT", "caseworker"))
    assert provider.get(reverse("web:merge_form") + f"?a={a.pk}&b={b.pk}").status_code == 404


def test_dpo_trail_of_the_survivor_includes_the_absorbed_records_events(pair, make_user):
    from stella.core.actor import Actor
    from stella.linkage.merge import merge_persons

    user, a, b = pair
    merge_persons(actor=Actor.for_user(user), survivor_id=a.pk, absorbed_id=b.pk,
                  resolution={"birth_place": "survivor"}, reason="x")
    api = ApiClient(token_for(make_user("JC", "dpo")))
    r = api.get("/audit/events", person_id=a.pk, page_size=200)
    assert r.status_code == 200
    ids = {e["person_id"] for e in r.json()["items"]}
    assert {a.pk, b.pk} <= ids
    assert AuditEvent.objects.filter(person_id=b.pk, action="create").exists()


def test_moved_rows_show_where_they_came_from_until_the_merge_is_undone(pair):
    from stella.core.actor import Actor
    from stella.linkage.merge import merge_persons, unmerge
    from stella.people.services import IdentifierIn, add_identifier

    user, a, b = pair
    actor = Actor.for_user(user)
    ident = add_identifier(actor=actor, person_id=b.pk, identifier=IdentifierIn(kind="azr", value="123456789012"))
    merge = merge_persons(actor=actor, survivor_id=a.pk, absorbed_id=b.pk, resolution={"birth_place": "survivor"},
                          reason="gleiche Person")
    api = ApiClient(token_for(user))
    data = api.get(f"/persons/{a.pk}/sections/identity").json()
    moved = [n for n in data["all_names"] if n.get("from_person") == b.pk]
    own = [n for n in data["all_names"] if "from_person" not in n]
    assert [n["family_name"] for n in moved] == ["Alhassan"] and [n["family_name"] for n in own] == ["Al-Hassan"]
    assert moved[0]["provenance"].startswith(f"stammt aus Erfassung #{b.pk}")
    assert [i["from_person"] for i in data["identifiers"] if i["id"] == ident.pk] == [b.pk]

    page = _web(user).get(reverse("web:section", args=[a.pk, "identity"])).content.decode()
    assert f"Nr. {b.pk}</a>, übernommen am" in page
    assert page.count("übernommen am") == 2  # the name and the identifier, not the survivor's own name

    unmerge(actor=actor, merge_id=merge.pk, reason="doch verschieden")
    data = api.get(f"/persons/{a.pk}/sections/identity").json()
    assert all("from_person" not in n for n in data["all_names"])
