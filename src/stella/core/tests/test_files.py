"""atomic_text_file: the target is replaced whole or not at all."""

import pytest

from stella.core.files import atomic_text_file


def test_replaces_the_target_on_success_and_keeps_it_on_error(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("alt\n", encoding="utf-8")
    with pytest.raises(ValueError), atomic_text_file(target) as sink:
        sink.write("halb")
        raise ValueError("Abbruch")
    assert target.read_text(encoding="utf-8") == "alt\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind
    with atomic_text_file(target) as sink:
        sink.write("neu – ü\n")
    assert target.read_text(encoding="utf-8") == "neu – ü\n"
    assert target.stat().st_mode & 0o777 != 0o600  # not the private mode of mkstemp
