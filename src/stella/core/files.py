"""Files of the batch commands: outputs written beside the target and renamed, never half-written, and the one
error that lists every problem of a bad input file (DESIGN §5)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO


@contextmanager
def atomic_text_file(target: Path, *, newline: str = "\n") -> Iterator[TextIO]:
    """A UTF-8 text file that replaces `target` only when the block ends without an error.

    Readers see the old file or the whole new one (rename on one file system); on an error the temporary file is
    removed and `target` is untouched. The file gets the permissions a plain `open()` would give it.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.resolve().parent)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates private files
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CsvFormatError(Exception):
    """An input file breaks the format: `problems` are the first findings (each prints as one line, e.g.
    "Zeile 7: …"), `more` counts the rest. The command prints the message and exits non-zero."""

    def __init__(self, problems: Sequence[Any], more: int = 0) -> None:
        self.problems = list(problems)
        self.more = more
        lines = [str(p) for p in self.problems]
        if more:
            lines.append(f"… und {more} weitere Fehler")
        super().__init__("\n".join(lines))
