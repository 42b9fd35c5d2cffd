"""Scratch space of one process: the temporary files of Tesseract, poppler and pdfunite.

Every temporary file a run writes (pytesseract's images and outputs, the copy of a PDF
that poppler reads, a record's pages joined into one PDF) goes through Python's
`tempfile`, so pointing `tempfile.tempdir` at one folder per process,
`<tmp>/digitize-scratch-<pid>`, puts them all in one place. A process that ends
normally removes its folder; one killed (`kill -9`, the OOM killer, a power cut) cannot,
and the next process removes the folders of processes no longer running. Before this, a
killed run left its pages' OCR folders behind (168 in a day of fault tests here).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "digitize-scratch-"
_own: Path | None = None  # this process's folder, once made


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_abandoned(base: Path) -> list[Path]:
    """Remove the scratch folders under `base` of processes that are no longer running."""
    removed: list[Path] = []
    for folder in base.glob(PREFIX + "*"):
        pid = folder.name.removeprefix(PREFIX)
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def use_process_scratch(base: Path | None = None) -> Path:
    """Make this process's temporary files go to its own scratch folder (removed at exit),
    after removing the folders that dead processes left under `base` (the system's
    temporary folder, `TMPDIR`, by default). Returns the folder."""
    global _own
    if _own is not None and _own.name == f"{PREFIX}{os.getpid()}" and _own.is_dir():
        return _own  # (a forked child has another pid and makes its own)
    base = Path(base) if base is not None else Path(tempfile.gettempdir())
    own = base / f"{PREFIX}{os.getpid()}"
    remove_abandoned(base)
    # A folder of this pid already there was left by a dead process that had the same
    # pid (a container's runs often do): its files are not ours.
    shutil.rmtree(own, ignore_errors=True)
    own.mkdir(mode=0o700, parents=True)
    tempfile.tempdir = str(own)
    atexit.register(shutil.rmtree, own, ignore_errors=True)
    _own = own
    return own
