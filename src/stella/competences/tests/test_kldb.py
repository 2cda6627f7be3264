"""Loading the KldB 2010 (leading zeros, HTML entities, idempotence, version switch, bad files) and the
`stella kldb` command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from stella.audit.models import AuditEvent
from stella.competences import kldb as loader
from stella.competences.models import KldbVersion, Occupation
from stella.core.errors import InvalidInput

HEADER = "Schlüssel KldB 2010, V. 2020;Ebene;Titel;Kurztitel;Allgemeine Bemerkungen;Einschlüsse;Umfasst ferner;" \
         "Ausschlüsse;\n"
SMALL = HEADER + (
    "0;1;Militär;Militär;;;;;\n"
    "1;2;Angehörige der regulären Streitkräfte;Streitkräfte;;;;;\n"
    "11;3;Offiziere;Offiziere;;;;;\n"
    "110;4;Offiziere;Offiziere;;;;;\n"
    "1104;5;Offiziere;Offiziere;;\"Truppen führen, z.&nbsp;B. im Heer\";"
    "Zugeordnete Berufe (Beispiele):  01104-101 Offizier - Militärfachlicher Dienst  01104-102 Offizier - "
    "Truppendienst;;\n"
    "2;1;Rohstoffgewinnung, Produktion und Fertigung;Produktion;;;;;\n"
    "29;2;Lebensmittelherstellung;Lebensmittel;;;;;\n"
    "292;3;Lebensmittel- und Genussmittelherstellung;Lebensmittel;;;;;\n"
    "2922;4;Back- und Konditoreiwarenherstellung;Backwaren;;;;;\n"
    "29222;5;Berufe in der Back- und Konditoreiwarenherstellung – fachlich ausgerichtete Tätigkeiten;"
    "Back-, Konditoreiwarenherst.-Fachkraft;;Brot backen;Zugeordnete Berufe (Beispiele):  29222-101 Bäcker/in  "
    "29222-102 Konditor/in;;\n"
)


def write(tmp_path: Path, text: str, name: str = "kldb.csv", bom: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.mark.django_db
def test_loads_small_file_with_leading_zeros_and_unescaped_entities(tmp_path):
    result = loader.load(write(tmp_path, SMALL))
    assert result.created
    version = result.version
    assert version.name == "KldB 2010, Fassung 2020" and version.active and len(version.sha256) == 64
    codes = dict(Occupation.objects.filter(version=version).values_list("code", "level"))
    assert codes == {"0": 1, "01": 2, "011": 3, "0110": 4, "01104": 5, "2": 1, "29": 2, "292": 3, "2922": 4,
                     "29222": 5}
    officer = Occupation.objects.get(version=version, code="01104")
    assert "&nbsp;" not in officer.activities and "z.\xa0B. im Heer" in officer.activities
    assert officer.skill_level == 4
    assert "offizier truppendienst" in officer.search_text  # example job titles are searchable
    assert result.counts == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}
    event = AuditEvent.objects.filter(object_type="kldb_version").get()
    assert event.username == "system" and event.detail["positions"] == 10


@pytest.mark.django_db
def test_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, SMALL)
    first = loader.load(path)
    second = loader.load(path)
    assert not second.created and not second.reactivated and second.version.pk == first.version.pk
    assert "bereits geladen" in second.message and "nichts geändert" in second.message
    assert KldbVersion.objects.count() == 1 and Occupation.objects.count() == 10


@pytest.mark.django_db
def test_new_file_becomes_the_only_active_version_and_old_one_can_return(tmp_path):
    old = loader.load(write(tmp_path, SMALL)).version
    changed = SMALL.replace("Bäcker/in", "Bäcker/in  29222-103 Brotbäcker/in")
    new = loader.load(write(tmp_path, changed, "new.csv")).version
    assert new.pk != old.pk
    assert list(KldbVersion.objects.filter(active=True)) == [new]
    assert loader.active_version() == new
    assert Occupation.objects.filter(version=old).count() == 10  # kept: profile rows may point at them
    back = loader.load(write(tmp_path, SMALL, "again.csv"))
    assert back.reactivated and back.version.pk == old.pk and loader.active_version() == old


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), [
    ("Code;Ebene;Titel\n1;2;x\n", "keine KldB-2010-Gliederung"),
    (HEADER + "123;2;Zu lang;;;;;;\n", "Schlüssel „123“ passt nicht zu Ebene 2"),
    (HEADER + "12;9;Ebene neun;;;;;;\n", "Ebene „9“"),
    (HEADER + "1a;2;Buchstabe;;;;;;\n", "Schlüssel „1a“"),
    (HEADER + "1;2;Doppelt;;;;;;\n01;2;Doppelt;;;;;;\n12345;5;x;;;;;;\n", "Schlüssel 01 kommt doppelt vor"),
    (HEADER + "12;2;;;;;;;\n", "Titel fehlt"),
    (HEADER + "12;2;Kurz\n", "Spalten"),
    (HEADER + "12;2;Nur Ebene zwei;;;;;;\n", "keine Berufsgattungen"),
])
def test_bad_file_is_refused_and_nothing_is_written(tmp_path, text, message):
    loader.load(write(tmp_path, SMALL))
    before = (KldbVersion.objects.count(), Occupation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        loader.load(write(tmp_path, text, "bad.csv"))
    assert message in exc.value.field_errors["file"][0] and "bad.csv" in exc.value.message
    assert (KldbVersion.objects.count(), Occupation.objects.count(), AuditEvent.objects.count()) == before
    assert KldbVersion.objects.get(active=True).source_file == "kldb.csv"


@pytest.mark.django_db
def test_not_utf8_and_missing_file_are_refused(tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(SMALL.replace("–", "-").encode("latin-1"))
    with pytest.raises(InvalidInput, match="keine UTF-8-Datei"):
        loader.load(latin1)
    with pytest.raises(InvalidInput, match="nicht lesbar"):
        loader.load(tmp_path / "missing.csv")
    assert not KldbVersion.objects.exists()


@pytest.mark.django_db
def test_shipped_file_loads_with_all_positions():
    result = loader.load()
    assert result.counts == {1: 10, 2: 37, 3: 144, 4: 703, 5: 1301}
    codes = set(Occupation.objects.filter(version=result.version).values_list("code", flat=True))
    assert {"0", "01", "011", "0110", "01104", "29222", "81302"} <= codes
    assert all(len(c) == level for c, level in Occupation.objects.values_list("code", "level"))
    assert not Occupation.objects.filter(activities__contains="&nbsp;").exists()


def test_ensure_loaded_and_occupation_by_code(kldb):
    assert kldb.active and kldb.name == "KldB 2010, Fassung 2020"
    assert loader.ensure_loaded().pk == kldb.pk  # idempotent
    assert loader.occupation_by_code("29222").title.startswith("Berufe in der Back- und Konditoreiwarenherstellung")
    assert loader.occupation_by_code(" 01104 ").level == 5
    assert loader.occupation_by_code("2922", level=4).level == 4
    for bad in ("99999", "2922x", "", "292222"):
        with pytest.raises(InvalidInput) as exc:
            loader.occupation_by_code(bad)
        assert "gibt es in der geladenen Fassung (KldB 2010, Fassung 2020) nicht" in exc.value.field_errors[
            "occupation"][0]
    with pytest.raises(InvalidInput) as exc:
        loader.occupation_by_code("99999")
    assert exc.value.field_errors["occupation"] == [
        "Den KldB-Schlüssel „99999“ gibt es in der geladenen Fassung (KldB 2010, Fassung 2020) nicht."]
    with pytest.raises(InvalidInput) as exc:
        loader.occupation_by_code("2922")  # exists, but a Berufsuntergruppe, not a Berufsgattung
    assert exc.value.field_errors["occupation"] == [
        "Der KldB-Schlüssel „2922“ ist keine Berufsgattung (Ebene 5, fünfstellig), sondern eine Berufsuntergruppe."]


@pytest.mark.django_db
def test_occupation_by_code_without_any_version():
    with pytest.raises(InvalidInput, match="keine KldB-Fassung geladen"):
        loader.occupation_by_code("29222")


@given(st.text(max_size=30))
def test_normalize_is_idempotent_and_umlaut_insensitive(text):
    once = loader.normalize(text)
    assert loader.normalize(once) == once
    assert loader.normalize(text.replace("ä", "ae")) == loader.normalize(text.replace("ae", "ä").replace("ä", "ae"))


def test_normalize_examples():
    assert loader.normalize("Bäcker/in") == loader.normalize("BAECKER in") == "baecker in"
    assert loader.normalize("Straße") == "strasse"
    assert loader.normalize("خيّاط") == loader.normalize("خياط")
    assert loader.normalize("كهربائي") == loader.normalize("کهربائی")  # Arabic and Persian kaf/yeh
    assert loader.normalize("Водій") == "водій"


@pytest.mark.django_db
def test_command_load_status_and_errors(tmp_path):
    out = StringIO()
    with pytest.raises(CommandError, match="Keine KldB-Fassung aktiv"):
        call_command("kldb", "status", stdout=out)
    call_command("kldb", "load", "--file", str(write(tmp_path, SMALL)), stdout=out)
    assert "geladen: 10 Positionen" in out.getvalue()
    out = StringIO()
    call_command("kldb", "load", "--file", str(tmp_path / "kldb.csv"), stdout=out)
    assert "nichts geändert" in out.getvalue()
    out = StringIO()
    call_command("kldb", "status", stdout=out)
    assert "Aktiv: KldB 2010, Fassung 2020" in out.getvalue() and "Ebene 5: 2 Positionen" in out.getvalue()
    with pytest.raises(CommandError, match="Nichts geladen.*keine KldB-2010-Gliederung"):
        call_command("kldb", "load", "--file", str(write(tmp_path, "x;y\n", "bad.csv")))
    assert KldbVersion.objects.count() == 1
