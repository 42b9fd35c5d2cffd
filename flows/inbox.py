"""What is waiting in the inbox: one entry per file under `INBOX/<ward-code>/`."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

# OS and sync-tool junk, and files still being written (Paperless-ngx's lessons).
IGNORED_NAMES = (
    ".DS_Store", "._*", "Thumbs.db", "desktop.ini", "*.part", "*.crdownload", "*.tmp",
    "~$*", ".~lock.*", "*.swp", ".*.swp",
)
IGNORED_DIRS = ("@eaDir", "__MACOSX", ".stfolder", ".stversions", ".sync", ".dropbox.cache",
                ".Trash*", ".git")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    source_name: str  # relative to the inbox, with "/" separators: "phu-tan/scan-0001.pdf"
    ward: str  # the folder the clerk dropped it in
    problem: str | None = None  # why it cannot be taken, in words a clerk reads


def is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_NAMES)


# A folder whose name looks like a document: a clerk expected a file there.
DOCUMENT_SUFFIXES = (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg")

MSG_SYMLINK = "Là liên kết tượng trưng, không phải tệp thật / A symbolic link, not a file"
MSG_NOT_REGULAR = "Không phải tệp thông thường / Not a regular file"
MSG_FOLDER = "Là thư mục, không phải tệp / A folder, not a file"
MSG_NO_WARD = "Tệp nằm ngoài thư mục phường / The file is not inside a ward folder"
MSG_UNKNOWN_WARD = "Thư mục không phải phường đã đăng ký / The folder is not a registered ward"
MSG_VANISHED = (
    "Tệp đã bị xóa hoặc di chuyển trong khi đọc; hãy nộp lại / "
    "The file disappeared while it was being read; drop it again"
)
MSG_NO_ACCESS = "Không có quyền đọc tệp / The file cannot be read (permission denied)"


def discover(inbox: Path, ward_codes: set[str]) -> list[InboxFile]:
    """Every file under the inbox, sorted by name; a problem set for those that cannot be taken.

    Nothing is read here and nothing is followed outside the inbox: symbolic links (to files
    or folders) are reported, never opened or walked into (`os.walk(followlinks=False)`).
    """
    inbox = inbox.resolve()
    found: list[InboxFile] = []

    def add(path: Path, problem: str | None) -> None:
        rel = path.relative_to(inbox)
        ward = rel.parts[0] if len(rel.parts) > 1 else ""
        if problem is None and not ward:
            problem = MSG_NO_WARD
        elif problem is None and ward not in ward_codes:
            problem = MSG_UNKNOWN_WARD
        found.append(InboxFile(path, rel.as_posix(), ward or "_inbox", problem))

    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        here = Path(dirpath)
        keep = []
        for name in dirnames:
            path = here / name
            if any(fnmatch.fnmatch(name, d) for d in IGNORED_DIRS):
                continue
            if path.is_symlink():
                add(path, MSG_SYMLINK)  # os.walk lists links to folders here; never entered
                continue
            keep.append(name)
            if name.lower().endswith(DOCUMENT_SUFFIXES) and here != inbox:
                add(path, MSG_FOLDER)  # what it holds is still taken, file by file
        dirnames[:] = keep
        for name in filenames:
            if is_ignored(name):
                continue
            path = here / name
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # gone already: nothing to record, nothing was taken
            if stat.S_ISLNK(st.st_mode):
                add(path, MSG_SYMLINK)
            elif not stat.S_ISREG(st.st_mode):
                add(path, MSG_NOT_REGULAR)
            else:
                add(path, None)
    found.sort(key=lambda f: f.source_name)
    return found


@contextmanager
def open_inbox_file(path: Path) -> Iterator[BinaryIO]:
    """The file opened for reading, refusing to follow a symbolic link put in its place since
    discovery (O_NOFOLLOW) and anything that is not a regular file. Raises FileNotFoundError
    if gone."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"not a regular file: {path.name!r}")
        with os.fdopen(fd, "rb", closefd=False) as f:
            yield f
    finally:
        os.close(fd)


def dropped_at(path: Path) -> str | None:
    """When the file landed in the inbox (its modification time, UTC, to the microsecond).

    Copies of one file dropped in the same batch are ordered by it, so the copy the clerk
    dropped first is the one that counts, whichever process secures it.
    """
    try:
        mtime = path.lstat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(mtime, UTC).isoformat(timespec="microseconds")
