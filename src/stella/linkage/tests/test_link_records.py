"""`stella link-records IN.csv --out CLUSTERS.csv`: clusters for every record; bad input is reported with line
numbers, exit status 1 and no output file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stella.linkage import csvio

HEADER = "record_id,source_agency,given_names,family_name,birth_date,sex,nationality,birth_place\n"
GOOD = HEADER + (
    "a1,LRA-LB,Mohammed,Al-Hassan,1990-03-12,m,SYR,Aleppo\n"
    "b7,JC-LB,Muhammad,Alhassan,1990-03-12,M,syr,Haleb\n"
    "c3,AA-LB,Fatima,Rahimi,1971-05-05,f,AFG,Kabul\n"
    "d4,ABH-LB,Ahmad,,,x,XXA,\n"
)


def run(tmp_path: Path, text: str | bytes, *extra: str) -> Path:
    src = tmp_path / "in.csv"
    if isinstance(text, bytes):
        src.write_bytes(text)
    else:
        src.write_text(text, encoding="utf-8")
    out = tmp_path / "clusters.csv"
    call_command("link_records", str(src), "--out", str(out), *extra)
    return out


def test_end_to_end(tmp_path):
    out = run(tmp_path, GOOD)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows == [["record_id", "cluster_id"], ["a1", "a1"], ["b7", "a1"], ["c3", "c3"], ["d4", "d4"]]


def test_bom_other_column_order_and_crlf(tmp_path):
    lines = GOOD.splitlines()
    reordered = []
    for line in lines:
        f = next(csv.reader([line]))
        reordered.append(",".join([f[7], *f[:7]]))
    out = run(tmp_path, ("\ufeff" + "\r\n".join(reordered) + "\r\n").encode("utf-8"))
    assert out.read_text(encoding="utf-8").splitlines()[1:3] == ["a1,a1", "b7,a1"]


def test_threshold_option_and_retraining(tmp_path):
    out = run(tmp_path, GOOD, "--threshold", "1.0")
    assert [r[1] for r in csv.reader(out.open())][1:] == ["a1", "b7", "c3", "d4"]
    with pytest.raises(CommandError, match="--threshold"):
        run(tmp_path, GOOD, "--threshold", "0")


def bad(tmp_path: Path, text: str | bytes) -> str:
    out = tmp_path / "clusters.csv"
    with pytest.raises(CommandError) as exc:
        run(tmp_path, text)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]  # no temporary file left either
    return str(exc.value)


@pytest.mark.parametrize(("text", "message"), [
    (HEADER.replace("sex", "gender"), "fehlende Spalte(n) sex; unbekannte Spalte(n) gender"),
    (HEADER.replace(",birth_place", ""), "fehlende Spalte(n) birth_place"),
    (HEADER.rstrip() + ",sex\n", "doppelte Spalte(n) sex"),
    ("", "leer"),
    (HEADER + "a1,LRA,Ali,Hasan,2001-02-30,m,SYR,\n", "Zeile 2: Geburtsdatum „2001-02-30“ gibt es nicht"),
    (HEADER + "a1,LRA,Ali,Hasan,12.03.1990,m,SYR,\n", "Zeile 2: Geburtsdatum „12.03.1990“ ist kein ISO-Datum"),
    (HEADER + "a1,LRA,Ali,Hasan,,q,SYR,\n", "Zeile 2: Geschlecht „q“ unbekannt"),
    (HEADER + "a1,LRA,Ali,Hasan,,m,SYRIA,\n", "Zeile 2: Staatsangehörigkeit „SYRIA“"),
    (HEADER + "a1,LRA,Ali,Hasan,,m,ZZZ,\n", "Zeile 2: Staatsangehörigkeit „ZZZ“"),
    (HEADER + "a1,LRA,,,,m,SYR,\n", "Zeile 2: kein Name"),
    (HEADER + ",LRA,Ali,Hasan,,m,SYR,\n", "Zeile 2: record_id fehlt"),
    (HEADER + "a1,LRA,Ali,Hasan,,m,SYR,\na1,JC,Ali,Hasan,,m,SYR,\n", "Zeile 3: record_id „a1“ doppelt (zuerst in Zeile 2)"),
    (HEADER + "a1,LRA,Ali,Hasan,,m,SYR\n", "Zeile 2: 7 Felder statt 8"),
    (HEADER + 'a1,LRA,"Ali,Hasan,,m,SYR,\n', "kein gültiges CSV"),
    (HEADER.encode() + b"a1,LRA,Ali,Has\xe4n,,m,SYR,\n", "nicht UTF-8-kodiert"),
    (HEADER.encode() + b"\x00\x01\x02binary", "keine Textdatei"),
])
def test_bad_input(tmp_path, text, message):
    assert message in bad(tmp_path, text)


def test_every_bad_row_is_reported_capped_with_a_count(tmp_path):
    rows = "".join(f"r{i},LRA,Ali,Hasan,1990-13-01,m,SYR,\n" for i in range(csvio.MAX_ERRORS + 7))
    msg = bad(tmp_path, HEADER + "ok,LRA,Ali,Hasan,,m,SYR,\n" + rows)
    assert msg.count("gibt es nicht") == csvio.MAX_ERRORS
    assert "Zeile 3:" in msg and "… und 7 weitere Fehler" in msg


def test_existing_output_is_left_unchanged_on_bad_input(tmp_path):
    out = tmp_path / "clusters.csv"
    out.write_text("old\n")
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "a1,LRA,Ali,Hasan,1990-02-31,m,SYR,\n")
    with pytest.raises(CommandError):
        call_command("link_records", str(src), "--out", str(out))
    assert out.read_text() == "old\n"


def test_missing_input_and_output_directory(tmp_path):
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("link_records", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv"))
    (tmp_path / "in.csv").write_text(GOOD)
    with pytest.raises(CommandError, match="Ausgabeverzeichnis fehlt"):
        call_command("link_records", str(tmp_path / "in.csv"), "--out", str(tmp_path / "no" / "o.csv"))


def test_values_are_normalised():
    records = csvio.parse(GOOD)
    assert [r.sex for r in records] == ["m", "m", "f", ""]
    assert [r.nationality for r in records] == ["SYR", "SYR", "AFG", ""]
    assert records[3].birth_date is None and records[3].birth_precision == "unknown"
    jan = csvio.parse(HEADER + "x,LRA,Ali,Hasan,1990-01-01,,,\n")[0]
    assert jan.birth_precision == "year"
