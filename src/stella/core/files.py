"""Output files of the batch commands: written beside the target and renamed, never half-written (DESIGN §5)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


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
