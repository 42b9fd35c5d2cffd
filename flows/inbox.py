"""What is waiting in the inbox: one entry per file under `INBOX/<ward-code>/`."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

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


def discover(inbox: Path, ward_codes: set[str]) -> list[InboxFile]:
    """Every file under the inbox, sorted by name; a problem set for those that cannot be taken.

    Nothing is read here and nothing is followed outside the inbox: symbolic links are
    reported, not opened.
    """
    inbox = inbox.resolve()
    found: list[InboxFile] = []
    for path in sorted(inbox.rglob("*")):
        rel = path.relative_to(inbox)
        if any(fnmatch.fnmatch(part, d) for part in rel.parts[:-1] for d in IGNORED_DIRS):
            continue
        if is_ignored(path.name):
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        source_name = rel.as_posix()
        ward = rel.parts[0] if len(rel.parts) > 1 else ""
        problem = None
        if path.is_symlink():
            problem = "Là liên kết tượng trưng, không phải tệp thật / A symbolic link, not a file"
        elif not path.is_file():
            problem = "Không phải tệp thông thường / Not a regular file"
        elif not ward:
            problem = (
                "Tệp nằm ngoài thư mục phường / The file is not inside a ward folder"
            )
        elif ward not in ward_codes:
            problem = (
                "Thư mục không phải phường đã đăng ký / The folder is not a registered ward"
            )
        found.append(InboxFile(path, source_name, ward or "_inbox", problem))
    return found
