"""`stella allocate`: good files give the optimal assignment; every kind of bad file gives file, line and
reason, a non-zero exit, and leaves the output file as it was (not created, not changed, no temp files)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from stella.matching import flow

PAIRS = "person_id,offer_id,score\n1,a,5\n2,a,3\n2,b,4\n3,b,1\n"
CAPS = "offer_id,capacity\na,1\nb,1\n"
OLD = "person_id,offer_id\nalt,alt\n"


def run(tmp_path: Path, pairs: str | bytes, caps: str | bytes = CAPS, *extra: str) -> tuple[str, Path]:
    p, c, out = tmp_path / "PAIRS.csv", tmp_path / "CAPS.csv", tmp_path / "ASSIGN.csv"
    for path, content in ((p, pairs), (c, caps)):
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    stdout = io.StringIO()
    call_command("allocate", "--pairs", str(p), "--capacities", str(c), "--out", str(out), *extra, stdout=stdout)
    return stdout.getvalue(), out


def read_assign(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_good_files(tmp_path):
    text, out = run(tmp_path, PAIRS)
    assert read_assign(out) == [["person_id", "offer_id"], ["1", "a"], ["2", "b"]]
    assert "Gesamtpunktzahl 9" in text
    assert "davon zugeteilt 2, ohne Platz 1" in text
    assert "Plätze 2, davon belegt 2" in text
    assert oct(out.stat().st_mode & 0o777) != "0o600"  # a normal file, not mkstemp's private one


def test_bom_crlf_column_order_quotes_and_blank_lines_are_fine(tmp_path):
    pairs = '\ufeffscore,offer_id,person_id\r\n5,a,1\r\n3,a,2\r\n4,"b",2\r\n1,b,3\r\n\r\n'
    caps = "capacity , offer_id\n1,a\n1,b\n\n"
    _, out = run(tmp_path, pairs, caps)
    assert read_assign(out)[1:] == [["1", "a"], ["2", "b"]]


def test_output_sorted_numerically_by_person(tmp_path):
    pairs = "person_id,offer_id,score\n" + "".join(f"{p},x,1\n" for p in (10, 9, 100, 1))
    _, out = run(tmp_path, pairs, "offer_id,capacity\nx,10\n")
    assert [r[0] for r in read_assign(out)[1:]] == ["1", "9", "10", "100"]


def test_unassigned_cost_option(tmp_path):
    text, out = run(tmp_path, PAIRS, CAPS, "--unassigned-cost", "10")
    assert read_assign(out)[1:] == [["1", "a"], ["2", "b"]]
    assert "Zielwert −1 (Gesamtpunktzahl 9 − 10 für 1 Person ohne Platz)" in text
    with pytest.raises(CommandError, match="--unassigned-cost"):
        run(tmp_path, PAIRS, CAPS, "--unassigned-cost", "-1")


def test_random_instance_is_optimal_and_feasible(tmp_path):
    rng = np.random.default_rng(7)
    rows = [(p, o, int(rng.integers(0, 50))) for p in range(200) for o in range(12) if rng.random() < 0.3]
    caps = {o: int(rng.integers(0, 15)) for o in range(12)}
    text, out = run(tmp_path, "person_id,offer_id,score\n" + "".join(f"{p},{o},{s}\n" for p, o, s in rows),
                    "offer_id,capacity\n" + "".join(f"{o},{c}\n" for o, c in caps.items()))
    got = {int(p): int(o) for p, o in read_assign(out)[1:]}
    expected = flow.allocate(rows, caps)
    score = {(p, o): s for p, o, s in rows}
    assert sum(score[(p, o)] for p, o in got.items()) == expected.total_score
    assert all(list(got.values()).count(o) <= c for o, c in caps.items())
    assert f"Gesamtpunktzahl {expected.total_score:,}".replace(",", ".") in text


BAD_PAIRS = [
    ("person_id,offer_id\n1,a\n", "PAIRS.csv, Zeile 1: Kopfzeile: fehlende Spalte(n) score"),
    ("person_id,offer_id,score,extra\n1,a,1,x\n", "unbekannte Spalte(n) extra"),
    ("person_id,offer_id,score,score\n1,a,1,1\n", "doppelte Spalte(n) score"),
    ("person_id,offer_id,score\n1,a,1\n2,zz,1\n", "PAIRS.csv, Zeile 3: unbekanntes Angebot „zz“"),
    ("person_id,offer_id,score\n1,a,1\n2,b,2\n1,a,3\n", "PAIRS.csv, Zeile 4: Paar Person „1“, Angebot „a“ doppelt "
                                                         "(zuerst in Zeile 2)"),
    ("person_id,offer_id,score\n1,a,1.5\n", "PAIRS.csv, Zeile 2: Punktzahl „1.5“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,abc\n", "Punktzahl „abc“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,\n", "Punktzahl „“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,1e3\n", "Punktzahl „1e3“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,1_000\n", "Punktzahl „1_000“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,٣\n", "Punktzahl „٣“ ist keine ganze Zahl"),
    ("person_id,offer_id,score\n1,a,99999999999\n", "außerhalb"),
    ("person_id,offer_id,score\n,a,1\n", "PAIRS.csv, Zeile 2: leere person_id"),
    ("person_id,offer_id,score\n1, ,1\n", "PAIRS.csv, Zeile 2: leere offer_id"),
    ("person_id,offer_id,score\n1,a\n", "PAIRS.csv, Zeile 2: 2 Felder statt 3"),
    ("person_id,offer_id,score\n1,a,1\n2,\"a,3\n", "PAIRS.csv, Zeile 3: kein gültiges CSV"),
    ("", "PAIRS.csv: ist leer"),
    (b"person_id,offer_id,score\n1,a,1\n" + "2,a,2 Müller\n".encode("latin-1"),
     "PAIRS.csv, Zeile 3: ist nicht UTF-8-kodiert"),
]


@pytest.mark.parametrize(("pairs", "message"), BAD_PAIRS)
def test_bad_pairs_file(tmp_path, pairs, message):
    assert_refused(tmp_path, pairs, CAPS, message)


BAD_CAPS = [
    ("offer_id\na\n", "CAPS.csv, Zeile 1: Kopfzeile: fehlende Spalte(n) capacity"),
    ("offer,capacity\na,1\n", "fehlende Spalte(n) offer_id; unbekannte Spalte(n) offer"),
    ("offer_id,capacity\na,-1\nb,1\n", "CAPS.csv, Zeile 2: Kapazität -1 ist negativ"),
    ("offer_id,capacity\na,1.0\nb,1\n", "CAPS.csv, Zeile 2: Kapazität „1.0“ ist keine ganze Zahl"),
    ("offer_id,capacity\na,zwei\nb,1\n", "Kapazität „zwei“ ist keine ganze Zahl"),
    ("offer_id,capacity\na,1\nb,1\na,2\n", "CAPS.csv, Zeile 4: Angebot „a“ doppelt (zuerst in Zeile 2)"),
    ("offer_id,capacity\n,1\na,1\nb,1\n", "CAPS.csv, Zeile 2: leere offer_id"),
    ("offer_id,capacity\na,1\nb,99999999999\n", "CAPS.csv, Zeile 3: Kapazität 99999999999 ist größer"),
    ("offer_id,capacity\na,1\n".encode("utf-16"), "CAPS.csv, Zeile 1: ist nicht UTF-8-kodiert"),
]


@pytest.mark.parametrize(("caps", "message"), BAD_CAPS)
def test_bad_capacities_file(tmp_path, caps, message):
    assert_refused(tmp_path, PAIRS, caps, message)


def assert_refused(tmp_path: Path, pairs: str | bytes, caps: str | bytes, message: str) -> None:
    out = tmp_path / "ASSIGN.csv"
    # Output absent: it must not be created.
    with pytest.raises(CommandError) as absent:
        run(tmp_path, pairs, caps)
    assert message in str(absent.value)
    assert "nichts geschrieben" in str(absent.value)
    assert not out.exists()
    # Output present: it must stay exactly as it was.
    out.write_text(OLD, encoding="utf-8")
    before = out.stat().st_mtime_ns
    with pytest.raises(CommandError):
        run(tmp_path, pairs, caps)
    assert out.read_text(encoding="utf-8") == OLD
    assert out.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ASSIGN.csv", "CAPS.csv", "PAIRS.csv"]


def test_bad_capacity_row_does_not_make_its_offer_unknown_in_pairs(tmp_path):
    with pytest.raises(CommandError) as err:
        run(tmp_path, PAIRS, "offer_id,capacity\na,-1\nb,1\n")
    assert "unbekanntes Angebot" not in str(err.value)


def test_unreadable_capacities_only_check_pairs_format(tmp_path):
    with pytest.raises(CommandError) as err:
        run(tmp_path, "person_id,offer_id,score\n1,a,x\n", "offer\na\n")
    text = str(err.value)
    assert "CAPS.csv, Zeile 1: Kopfzeile" in text
    assert "PAIRS.csv, Zeile 2: Punktzahl „x“" in text
    assert "unbekanntes Angebot" not in text


def test_many_problems_are_listed_up_to_a_limit(tmp_path):
    pairs = "person_id,offer_id,score\n" + "".join(f"{p},a,x\n" for p in range(30))
    with pytest.raises(CommandError) as err:
        run(tmp_path, pairs)
    text = str(err.value)
    assert text.count("ist keine ganze Zahl") == 20
    assert "… und 10 weitere Fehler" in text
    assert text.index("Zeile 2:") < text.index("Zeile 3:")


def test_missing_input_or_output_directory(tmp_path):
    with pytest.raises(CommandError, match="Ausgabeverzeichnis fehlt"):
        call_command("allocate", "--pairs", "x", "--capacities", "y", "--out", str(tmp_path / "no" / "a.csv"))
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("allocate", "--pairs", str(tmp_path / "none.csv"), "--capacities", str(tmp_path / "c.csv"),
                     "--out", str(tmp_path / "a.csv"))
    assert not (tmp_path / "a.csv").exists()


def test_stella_entry_point_exits_non_zero(tmp_path):
    (tmp_path / "p.csv").write_text("person_id,offer_id,score\n1,a,1\n1,a,2\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text(CAPS, encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stella.settings"}
    args = ["allocate", "--pairs", "p.csv", "--capacities", "c.csv", "--out", "a.csv"]
    code = "import sys; from stella.cli import main; main(sys.argv[1:])"
    bad = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env,  # noqa: S603
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0
    assert "p.csv, Zeile 3: Paar Person „1“, Angebot „a“ doppelt" in bad.stderr
    assert not (tmp_path / "a.csv").exists()
    (tmp_path / "p.csv").write_text(PAIRS, encoding="utf-8")
    good = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert "Gesamtpunktzahl 9" in good.stdout
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "person_id,offer_id\n1,a\n2,b\n"


def test_quick_and_careful_reading_agree(tmp_path, monkeypatch):
    """Good files go through the quick, column-wise reader; the careful one must read them the same way."""
    from stella.matching import csvio

    rng = np.random.default_rng(3)
    pad = [" ", "\t", "\xa0", ""]
    rows = [(f"{pad[p % 4]}{p}{pad[o % 4]}", f"o{o}", int(rng.integers(-9, 99))) for p in rng.permutation(300)
            for o in range(8) if rng.random() < 0.4]
    (tmp_path / "p.csv").write_text("score,person_id,offer_id\n" + "".join(f"{s},{p},{o}\n" for p, o, s in rows),
                                    encoding="utf-8")
    (tmp_path / "c.csv").write_text("offer_id,capacity\n" + "".join(f"o{o},{o}\n" for o in range(8)),
                                    encoding="utf-8")
    quick = csvio.read(tmp_path / "p.csv", tmp_path / "c.csv")
    monkeypatch.setattr(csvio, "_fast_pairs", lambda *a: None)
    careful = csvio.read(tmp_path / "p.csv", tmp_path / "c.csv")
    assert quick.pair_lines.size == 0 and careful.pair_lines.size == len(rows)  # both paths were taken
    assert quick.person_ids == careful.person_ids == sorted({p.strip() for p, _, _ in rows}, key=int)
    assert quick.offer_ids == careful.offer_ids
    for name in ("capacity", "pair_person", "pair_offer", "pair_score"):
        assert (getattr(quick, name) == getattr(careful, name)).all(), name


@pytest.mark.parametrize("persons", [
    [str(p) for p in range(0, 300)],  # plain numbers: NumPy's parser
    [f"{p:03d}" for p in range(0, 300)],  # leading zeros: text ids ("007" is not "7")
    [str(-p) for p in range(0, 300)],  # signs: text ids
])
def test_numeric_and_text_paths_agree(tmp_path, monkeypatch, persons):
    from stella.matching import csvio

    rng = np.random.default_rng(5)
    rows = [(persons[p], str(o), int(rng.integers(-50, 500))) for p in rng.permutation(len(persons))
            for o in (0, 7, 12, 100) if rng.random() < 0.5]
    (tmp_path / "p.csv").write_text("person_id,offer_id,score\n" + "".join(f"{p},{o},{s}\n" for p, o, s in rows),
                                    encoding="utf-8")
    (tmp_path / "c.csv").write_text("offer_id,capacity\n0,3\n7,2\n12,0\n100,9\n", encoding="utf-8")
    numeric = []
    real = csvio._numeric_pairs
    monkeypatch.setattr(csvio, "_numeric_pairs", lambda *a: numeric.append(real(*a)) or numeric[-1])
    quick = csvio.read(tmp_path / "p.csv", tmp_path / "c.csv")
    assert any(x is not None for x in numeric) == (persons[5] == "5") and quick.pair_lines.size == 0
    monkeypatch.setattr(csvio, "_fast_pairs", lambda *a: None)
    careful = csvio.read(tmp_path / "p.csv", tmp_path / "c.csv")
    assert quick.person_ids == careful.person_ids and len(quick.person_ids) == len({p for p, _, _ in rows})
    assert quick.offer_ids == careful.offer_ids == ["0", "7", "12", "100"]
    for name in ("capacity", "pair_person", "pair_offer", "pair_score"):
        assert (getattr(quick, name) == getattr(careful, name)).all(), name


def test_leading_zero_ids_stay_distinct(tmp_path):
    _, out = run(tmp_path, "person_id,offer_id,score\n7,1,5\n007,1,4\n", "offer_id,capacity\n1,2\n")
    assert read_assign(out)[1:] == [["007", "1"], ["7", "1"]]


def test_numeric_file_with_duplicates_or_unknown_offers_is_refused_with_lines(tmp_path):
    with pytest.raises(CommandError, match="Zeile 4: Paar Person „1“, Angebot „1“ doppelt"):
        run(tmp_path, "person_id,offer_id,score\n1,1,5\n2,1,4\n1,1,3\n", "offer_id,capacity\n1,2\n")
    with pytest.raises(CommandError, match="Zeile 3: unbekanntes Angebot „9“"):
        run(tmp_path, "person_id,offer_id,score\n1,1,5\n2,9,4\n", "offer_id,capacity\n1,2\n")
    with pytest.raises(CommandError, match="Zeile 2: Punktzahl 99999999999 liegt außerhalb"):
        run(tmp_path, "person_id,offer_id,score\n1,1,99999999999\n", "offer_id,capacity\n1,2\n")
