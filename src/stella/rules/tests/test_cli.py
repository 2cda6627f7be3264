"""`stella rules check IN.jsonl [--out OUT.jsonl]`: one answer per line in order, error lines, exit status,
no partial output file, UTF-8."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from stella.rules.management.commands import rules as command_module

ROOT = Path(__file__).resolve().parents[4]
WORK: dict[str, Any] = {"question": "work_permission", "reference_date": "2016-03-01", "status": "gestattung", "nationality": "SYR",
        "entry_date": "2015-09-01", "asylum_request_date": "2015-09-03", "lives_in_reception_centre": False,
        "duldung_grounds": [], "activity": "employment"}
BENEFIT: dict[str, Any] = {"question": "benefit", "reference_date": "2024-06-01",
           "regime_inputs": {"status": "gestattung", "entry_date": "2022-10-01", "analogue_since": None}, "age": 34,
           "household": "single"}
COURSE = {"question": "course_access", "reference_date": "2016-03-01", "status": "gestattung", "nationality": "ERI"}
SWITCH = {"question": "regime_switch", "final_decision_date": "2024-02-10"}


def write(path: Path, *lines: object) -> Path:
    path.write_bytes(b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n"
                              for line in lines))
    return path


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def check(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rules", "check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_file_answers_every_line_in_order(tmp_path):
    infile = write(tmp_path / "in.jsonl", WORK, BENEFIT, COURSE, SWITCH, {**WORK, "id": "p-7"})
    check(str(infile), "--out", str(tmp_path / "out.jsonl"))
    answers = read(tmp_path / "out.jsonl")
    assert [a["question"] for a in answers] == ["work_permission", "benefit", "course_access", "regime_switch",
                                                "work_permission"]
    assert (answers[0]["outcome"], answers[0]["basis"], answers[0]["unverified"]) == (
        "ABH_BA", ["§61 Abs. 2 AsylG", "§32 BeschV"], False)
    assert (answers[1]["regime"], answers[1]["stage"], answers[1]["amount_eur"]) == ("asylblg_3", 1, 460)
    assert answers[2]["outcome"] == "ADMISSIBLE" and answers[3]["first_sgb2_day"] == "2024-03-01"
    assert answers[4]["id"] == "p-7"
    assert all(a["rule_version"] and a["explanation"] for a in answers)


def test_without_out_answers_go_to_stdout(tmp_path):
    out, err = check(str(write(tmp_path / "in.jsonl", WORK, BENEFIT)))
    assert [json.loads(line)["question"] for line in out.splitlines()] == ["work_permission", "benefit"]
    assert "2 Fragen beantwortet, 0 mit Fehler" in err


BAD_LINES = [
    ({**WORK, "colour": "blue"}, "Unbekannte Felder: colour"),
    ({k: v for k, v in WORK.items() if k != "activity"}, "Pflichtfelder fehlen: activity"),
    ({**BENEFIT, "regime_inputs": {"status": "gestattung", "entry_date": "2022-10-01"}},
     "Pflichtfelder fehlen: regime_inputs.analogue_since"),
    ({**BENEFIT, "regime_inputs": {**BENEFIT["regime_inputs"], "x": 1}}, "Unbekannte Felder: regime_inputs.x"),
    ({**WORK, "reference_date": "2023-02-30"}, "unmögliches Datum"),
    ({**WORK, "entry_date": "01.09.2015"}, "JJJJ-MM-TT"),
    ({**WORK, "lives_in_reception_centre": 0}, "true oder false"),
    ({**BENEFIT, "age": "34"}, "ganze Zahl"),
    ({**WORK, "nationality": "XYZ"}, "Ländercode"),
    ({**WORK, "status": "asylum"}, "Unbekannter Aufenthaltsstatus"),
    ({**WORK, "reference_date": "2030-01-01"}, "2013–2027"),
    ({**WORK, "asylum_request_date": "2015-08-01"}, "vor der Einreise"),
    ({**WORK, "question": "tax"}, "Unbekannte oder fehlende Frageart"),
    ([1, 2], "JSON-Objekt"),
    (b"{not json", "Kein gültiges JSON"),
    (b"", "Leere Zeile"),
    (b"\xff\xfe{}", "UTF-8"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_bad_line_gives_an_error_line_and_processing_continues(tmp_path, line, message):
    infile = write(tmp_path / "in.jsonl", WORK, line, BENEFIT)
    with pytest.raises(CommandError, match="1 von 3 Zeilen"):
        check(str(infile), "--out", str(tmp_path / "out.jsonl"))
    answers = read(tmp_path / "out.jsonl")
    assert len(answers) == 3 and answers[0]["outcome"] == "ABH_BA" and answers[2]["regime"] == "asylblg_3"
    assert message in answers[1]["error"] and answers[1]["line"] == 2


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    infile = tmp_path / "in.jsonl"
    infile.write_bytes(b"\xef\xbb\xbf" + json.dumps(WORK).encode() + b"\r\n" + json.dumps(BENEFIT).encode() + b"\r\n")
    check(str(infile), "--out", str(tmp_path / "out.jsonl"))
    assert [a.get("error") for a in read(tmp_path / "out.jsonl")] == [None, None]


def test_no_partial_output_when_the_run_breaks(tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    out.write_text("previous complete result\n", encoding="utf-8")

    def broken(lines):
        yield {"outcome": "FREE"}, True
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(command_module, "run", broken)
    with pytest.raises(RuntimeError):
        check(str(write(tmp_path / "in.jsonl", WORK, WORK)), "--out", str(out))
    assert out.read_text(encoding="utf-8") == "previous complete result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_missing_input_file_is_a_clear_error_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="Eingabedatei nicht lesbar"):
        check(str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "out.jsonl"))
    assert not (tmp_path / "out.jsonl").exists()


def test_years_lists_the_coverage():
    out = io.StringIO()
    call_command("rules", "years", stdout=out)
    assert "benefit: 2015–2026" in out.getvalue() and "work_permission: 2013–2027" in out.getvalue()


def _stella(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "STELLA_VAR_DIR": str(tmp_path), "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    return subprocess.run([sys.executable, "-m", "stella.cli", "rules", "check", *args], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, timeout=120, check=False)


def test_exit_status_and_utf8_through_the_stella_command(tmp_path):
    good = _stella(str(write(tmp_path / "good.jsonl", WORK, BENEFIT)), tmp_path=tmp_path)
    assert good.returncode == 0, good.stderr.decode()
    assert "Ausländerbehörde" in good.stdout.decode("utf-8")
    bad = _stella(str(write(tmp_path / "bad.jsonl", WORK, {"question": "benefit"})), "--out",
                  str(tmp_path / "out.jsonl"), tmp_path=tmp_path)
    assert bad.returncode != 0
    assert len(read(tmp_path / "out.jsonl")) == 2
