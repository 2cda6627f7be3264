"""German occupation search: fields and their ranking, umlauts, word prefixes and compounds, code prefixes,
levels, and a newly loaded version replacing the cached one."""

from __future__ import annotations

import pytest

from stella.competences import kldb as loader
from stella.competences import occupations
from stella.competences.tests.test_kldb import HEADER, write


def codes(query: str, **kwargs) -> list[str]:
    return [h.code for h in occupations.search(query, **kwargs)]


def test_finds_job_titles_with_umlauts_in_any_spelling(kldb):
    for query in ("Bäcker", "baecker", "BÄCKER", "Baecker"):
        hits = occupations.search(query, limit=5)
        assert hits[0].code == "29222", query
        assert hits[0].matched_in == "examples" and hits[0].example == "Bäcker/in"
        assert hits[0].skill_level == "Fachkraft"
    assert codes("Straßenbauer")[0] == codes("Strassenbauer")[0] == "32222"


def test_exact_job_title_ranks_first(kldb):
    expected = {"Koch": "29302", "Schweißer": "24422", "Maler": "33212", "Tischler": "22342", "Friseur": "82312",
                "Altenpfleger": "82102", "Verkäufer": "62102", "Landwirt": "11102", "Elektriker": "26212",
                "Buchhalter": "72213", "Hebamme": "81353"}
    for query, code in expected.items():
        assert codes(query, limit=3)[0] == code, query


def test_female_forms_and_compounds(kldb):
    assert codes("Lehrerin", limit=3)[0] == "84124"  # Lehrer/in
    assert codes("Köchin", limit=1) == ["29302"]  # Koch/Köchin
    assert codes("Ärztin", limit=1) == ["81404"]  # Arzt/Ärztin
    assert set(codes("Kraftfahrer", limit=2)) == {"52122", "52112"}  # Berufskraftfahrer in the title
    assert "84124" in codes("Mathematiklehrer", limit=5)  # no such title: its head "lehrer" (weak)


def test_word_prefix_and_several_words(kldb):
    hits = occupations.search("Kfz Mechan", limit=3)
    assert hits[0].code == "25212"
    assert codes("Pflege Alten", limit=3)[0].startswith("821")
    assert codes("Berufe in der Pflege") == codes("Pflege")  # stopwords are ignored


def test_code_prefix_lists_codes_under_it(kldb):
    hits = occupations.search("293")
    assert hits and all(h.code.startswith("293") and h.level == 5 and h.matched_in == "code" for h in hits)
    assert codes("29302") == ["29302"]
    assert [h.level for h in occupations.search("29", level=None, limit=3)] == [2, 3, 4]
    assert codes("2 9 3 0 2") == ["29302"]


def test_levels_limit_and_nothing_found(kldb):
    assert all(h.level == 5 for h in occupations.search("Koch", limit=50))
    assert {h.level for h in occupations.search("Köche", level=None, limit=50)} >= {4, 5}
    assert len(occupations.search("Helfer", limit=7)) == 7
    assert len(occupations.search("Tätigkeiten", limit=1000)) == occupations.MAX_LIMIT
    assert occupations.search("Xyzqwv") == []
    assert occupations.search("") == occupations.search("  ,; ") == []
    assert occupations.search("خياط") == []  # other scripts: the job-title mapper's business


def test_hit_fields(kldb):
    hit = occupations.search("Bäcker", limit=1)[0]
    assert hit.as_dict() == {"code": "29222", "level": 5, "title": hit.title, "short_title": hit.short_title,
                             "skill_level": "Fachkraft", "matched_in": "examples", "example": "Bäcker/in"}
    assert hit.matched_label == "Berufsbezeichnung"
    labels = {h.code[4]: h.skill_level for h in occupations.search("291", limit=100)}
    assert {labels.get("1"), labels.get("2"), labels.get("3"), labels.get("4")} <= {
        "Helfer", "Fachkraft", "Spezialist", "Experte", None}
    assert occupations.by_code("29222").title == hit.title
    assert occupations.by_code("99999") is None
    assert set(occupations.lookup(["29222", "99999", "81302"])) == {"29222", "81302"}
    assert "Bäcker/in" in occupations.examples_of("29222")
    assert occupations.version_name() == "KldB 2010, Fassung 2020"


RANKING = HEADER + (
    "9;1;Bereich;Bereich;;;;;\n"
    "91111;5;Glasbläser – fachlich ausgerichtete Tätigkeiten;Bläser - Fachkraft;;Formen;;;\n"
    "91112;5;Berufe in der Fensterherstellung – fachlich ausgerichtete Tätigkeiten;Glasfenster - Fachkraft;;"
    "Rahmen bauen;;;\n"
    "91113;5;Berufe im Hausbau – fachlich ausgerichtete Tätigkeiten;Hausbau - Fachkraft;;Glas einsetzen, "
    "Wände mauern;;;\n"
    "91114;5;Berufe in der Gestaltung – fachlich ausgerichtete Tätigkeiten;Gestaltung - Fachkraft;;Farben mischen;"
    "Zugeordnete Berufe (Beispiele):  91114-100 Glaskünstler/in;;\n"
)


@pytest.mark.django_db
def test_title_before_short_title_before_examples_before_activities(tmp_path):
    loader.load(write(tmp_path, RANKING))
    hits = occupations.search("Glas")
    assert [(h.code, h.matched_in) for h in hits] == [
        ("91111", "title"), ("91112", "short_title"), ("91114", "examples"), ("91113", "activities")]
    assert hits[2].example == "Glaskünstler/in"


@pytest.mark.django_db
def test_new_version_replaces_the_cached_index(tmp_path):
    loader.load(write(tmp_path, RANKING))
    assert codes("Glas")
    loader.ensure_loaded()  # a version is active: nothing changes
    assert codes("Glas")
    loader.load()  # the shipped file: the small test file's entries are gone
    assert codes("Glasbläser") != ["91111"] and codes("Bäcker")[0] == "29222"
    loader.load(tmp_path / "kldb.csv")  # and back (re-activated)
    assert codes("Glas")[0] == "91111"


@pytest.mark.django_db
def test_no_version_loaded():
    assert occupations.search("Bäcker") == []
    assert occupations.version_name() == "" and occupations.by_code("29222") is None


# --- API ----------------------------------------------------------------------------------------------------

def api_for(user):
    from stella.api.tests.conftest import ApiClient, token_for

    return ApiClient(token_for(user))


@pytest.fixture
def caseworker(make_user):
    return make_user("JC", "caseworker", username="jc-beruf")


@pytest.fixture
def analyst(make_user):
    return make_user("JC", "analyst", username="jc-analyse")


def test_api_search_detail_version_and_suggest(kldb, caseworker):
    from stella.audit.models import AuditEvent

    api = api_for(caseworker)
    events = AuditEvent.objects.count()
    found = api.get("/occupations", q="Bäcker", limit=3)
    assert found.status_code == 200
    assert found.json()[0] == {"code": "29222", "level": 5, "title": found.json()[0]["title"],
                               "short_title": "Back-, Konditoreiwarenherst.-Fachkraft", "skill_level": "Fachkraft",
                               "matched_in": "examples", "example": "Bäcker/in"}
    assert len(found.json()) == 3
    assert [h["level"] for h in api.get("/occupations", q="29", level=2).json()] == [2]
    detail = api.get("/occupations/01104").json()
    assert detail["code"] == "01104" and detail["level_name"] == "Berufsgattung" and detail["skill_level"] == "Experte"
    assert "Offizier - Truppendienst" in detail["examples"] and "&nbsp;" not in detail["activities"]
    assert api.get("/occupations/01").json()["level"] == 2
    version = api.get("/occupations/version").json()
    assert version["name"] == "KldB 2010, Fassung 2020" and version["positions"]["5"] == 1301
    suggested = api.post("/occupations/suggest", {"title": "خياط", "language": "ar"})
    assert suggested.status_code == 200
    body = suggested.json()
    assert body["candidates"][0]["code"] == "28222" and body["candidates"][0]["source"] == "synonyms"
    assert body["version"] == "KldB 2010, Fassung 2020" and len(body["candidates"]) <= 5
    assert AuditEvent.objects.count() == events  # no personal data, nothing audited


def test_api_errors(kldb, caseworker):
    from stella.api.tests.conftest import fields, problem

    api = api_for(caseworker)
    missing = problem(api.get("/occupations/99999"), 404)
    assert "Den KldB-Schlüssel „99999“ gibt es in der geladenen Fassung (KldB 2010, Fassung 2020) nicht." in \
        missing["detail"]
    assert fields(problem(api.get("/occupations", q="x", level=7), 422)) == {"level"}
    assert fields(problem(api.get("/occupations", q="x", limit=0), 422)) == {"limit"}
    assert "language" in fields(problem(api.post("/occupations/suggest", {"title": "baker", "language": "xx"}),
                                        422))
    assert fields(problem(api.post("/occupations/suggest", {"title": " "}), 422)) == {"title"}
    assert "extra" in str(problem(api.post("/occupations/suggest", {"title": "baker", "extra": 1}), 422))


@pytest.mark.django_db
def test_api_version_without_kldb(caseworker):
    from stella.api.tests.conftest import problem

    assert "keine KldB-Fassung" in problem(api_for(caseworker).get("/occupations/version"), 404)["detail"]


def test_api_refuses_anonymous_and_roles_without_files(kldb, analyst):
    from stella.api.tests.conftest import ApiClient, problem

    anonymous = ApiClient()
    assert anonymous.get("/occupations", q="Bäcker").status_code == 401
    assert anonymous.post("/occupations/suggest", {"title": "baker"}).status_code == 401
    api = api_for(analyst)
    for response in (api.get("/occupations", q="Bäcker"), api.get("/occupations/29222"),
                     api.get("/occupations/version"), api.post("/occupations/suggest", {"title": "baker"})):
        assert "nur Rollen zur Verfügung, die mit Fallakten arbeiten" in problem(response, 403)["detail"]


# --- web ----------------------------------------------------------------------------------------------------

def web_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_picker_json_endpoint(kldb, caseworker):
    response = web_for(caseworker).get("/berufe/suche", {"q": "Bäcker"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["version"] == "KldB 2010, Fassung 2020"
    assert body["results"][0]["code"] == "29222"
    assert body["results"][0]["label"] == "29222 – Bäcker/in (Fachkraft)"
    assert len(body["results"]) <= 10
    assert web_for(caseworker).get("/berufe/suche", {"q": ""}).json()["results"] == []
    assert web_for(caseworker).get("/berufe/suche", {"q": "29222"}).json()["results"][0]["code"] == "29222"


def test_picker_json_refuses_anonymous_and_roles_without_files(kldb, analyst):
    from django.test import Client

    anonymous = Client().get("/berufe/suche", {"q": "Bäcker"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    refused = web_for(analyst).get("/berufe/suche", {"q": "Bäcker"})
    assert refused.status_code == 403 and "Fallakten" in refused.json()["error"]
    assert Client().get("/berufe/", {"q": "Bäcker"}).status_code == 302
    assert web_for(analyst).get("/berufe/", {"q": "Bäcker"}).status_code == 403


def test_search_page_lists_results_without_javascript(kldb, caseworker):
    client = web_for(caseworker)
    empty = client.get("/berufe/")
    assert empty.status_code == 200 and "Berufe suchen (KldB 2010)" in empty.content.decode()
    assert "Geladene Fassung: KldB 2010, Fassung 2020" in empty.content.decode()
    page = client.get("/berufe/", {"q": "Bäcker"}).content.decode()
    assert "<code>29222</code>" in page and "Bäcker/in" in page and 'scope="row"' in page
    assert "Berufe gefunden" in page
    none = client.get("/berufe/", {"q": "Xyzqwv"}).content.decode()
    assert "Kein Beruf gefunden" in none


def test_search_page_maps_a_title_in_another_language(kldb, caseworker):
    client = web_for(caseworker)
    page = client.get("/berufe/", {"titel": "водій таксі", "sprache": "uk"}).content.decode()
    assert "<code>52112</code>" in page and "Vorschläge" in page and "steht in der Synonymliste" in page
    bad = client.get("/berufe/", {"titel": "", "sprache": "uk"}).content.decode()
    assert "Bitte eine Berufsbezeichnung angeben." in bad and "Bitte prüfen Sie Ihre Eingaben" in bad
    unknown = client.get("/berufe/", {"titel": "x", "sprache": "xx"})
    assert unknown.status_code == 200 and "Auswahl" in unknown.content.decode()  # Django's invalid-choice text


def test_picker_include_renders_an_accessible_code_field(kldb):
    from django.template.loader import render_to_string

    html = render_to_string("web/includes/occupation_picker.html",
                            {"name": "occupation", "code": "29222", "label": "Beruf (KldB 2010)"})
    assert '<label for="id_occupation">Beruf (KldB 2010)</label>' in html
    assert 'name="occupation" id="id_occupation" value="29222"' in html
    assert 'aria-describedby="id_occupation_helptext"' in html
    assert 'href="/berufe/"' in html and 'data-search-url="/berufe/suche"' in html
    assert "occupation-picker.js" in html and "aria-invalid" not in html
    with_errors = render_to_string("web/includes/occupation_picker.html", {
        "name": "kldb", "id": "beruf-1", "code": None, "label": "Beruf", "required": True,
        "errors": ["Den KldB-Schlüssel „1“ gibt es in der geladenen Fassung (KldB 2010, Fassung 2020) nicht."]})
    assert 'id="beruf-1" value=""' in with_errors and 'aria-invalid="true"' in with_errors
    assert 'aria-describedby="beruf-1_helptext beruf-1_error"' in with_errors and "Pflichtfeld" in with_errors
    assert "gibt es in der geladenen Fassung" in with_errors and " required" in with_errors
