"""Everything a scanner, a phone or a shared folder can produce, in one batch.

Each bad file ends in a recorded outcome whose reason a clerk can read (the export shows
it), the rest of the batch goes on, nothing crashes and nothing outside the inbox is read.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import flows.pipeline as pipeline
from flows.cli import app
from flows.pipeline import digitize_inbox

pytestmark = pytest.mark.usefixtures("prefect_harness")

DATA = Path(__file__).parent / "data"
WARD = "phu-tan"


def _export() -> list[dict]:
    result = CliRunner().invoke(app, ["export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _bomb_png(side: int = 40000) -> bytes:
    """A PNG whose header declares side x side pixels (a few hundred bytes on disk)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * 64
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(row * 8)) + _png_chunk(b"IEND", b""))


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A small well-formed PDF (correct xref offsets) from numbered object bodies."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra
              + b">>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _no_pages_pdf() -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def _encrypted_pdf() -> bytes:
    """Standard security handler, RC4 40-bit, with a user password: poppler cannot open it
    without the password. The /O and /U values need not be right: any check fails."""
    encrypt = (b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 "
               b"/O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>")
    return _pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>",
         b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
         encrypt],
        trailer_extra=b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] ",
    )


def _blank_pdf(pages: int) -> bytes:
    """`pages` small blank pages (2 x 2 inches), saved by PIL in well under a second."""
    frames = [Image.new("L", (200, 200), 255) for _ in range(pages)]
    buf = io.BytesIO()
    frames[0].save(buf, "PDF", resolution=100.0, save_all=True, append_images=frames[1:])
    return buf.getvalue()


@pytest.fixture
def batch(tmp_path: Path, use_store) -> tuple[Path, Path, dict[str, str]]:
    """The inbox, a secret file outside it, and source name -> what the clerk must be told."""
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    inbox = tmp_path / "inbox"
    ward = inbox / WARD
    ward.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.png"
    secret.write_bytes((DATA / "tess_phototest.tif").read_bytes())

    good = (DATA / "tess_phototest.tif").read_bytes()
    truncated = _blank_pdf(3)
    files: dict[str, bytes] = {
        "empty.pdf": b"",
        "truncated.pdf": truncated[: len(truncated) // 2],
        "encrypted.pdf": _encrypted_pdf(),
        "no-pages.pdf": _no_pages_pdf(),
        "notes.jpg": "Đây là văn bản, không phải ảnh.\n".encode(),
        "tiny.png": _png_1x1(),
        "bomb.png": _bomb_png(),
        "big-300-pages.pdf": _blank_pdf(300),
        "scan with spaces.tif": good,
        "Giấy khai sinh Nguyễn.tif": good + b"\0",  # other bytes: not a duplicate of the above
        "-rf.tif": good + b"\0\0",
        "..tif": good + b"\0\0\0",
        "a..b.tif": good + b"\0\0\0\0",
        "gone.tif": good + b"\0" * 5,
    }
    for name, data in files.items():
        (ward / name).write_bytes(data)
    (ward / "link.png").symlink_to(secret)
    (ward / "linked-folder").symlink_to(outside, target_is_directory=True)
    (ward / "x.pdf").mkdir()
    expected = {
        f"{WARD}/empty.pdf": "rỗng",
        f"{WARD}/truncated.pdf": "hỏng",
        f"{WARD}/encrypted.pdf": "mật khẩu",
        # poppler calls a PDF with an empty page tree damaged: either reason is fair
        f"{WARD}/no-pages.pdf": ("không có trang", "hỏng"),
        f"{WARD}/notes.jpg": "không được hỗ trợ",
        f"{WARD}/tiny.png": "quá nhỏ",
        f"{WARD}/bomb.png": "quá lớn",
        f"{WARD}/link.png": "liên kết",
        f"{WARD}/linked-folder": "liên kết",
        f"{WARD}/x.pdf": "thư mục",
        f"{WARD}/gone.tif": "bị xóa",
    }
    return inbox, secret, expected


def _png_1x1() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((1, 1), np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def test_bad_input_batch(batch, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, secret, expected = batch
    opened: list[str] = []
    real_discover = pipeline.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        (inbox / WARD / "gone.tif").unlink(missing_ok=True)  # gone between finding and reading
        return found

    monkeypatch.setattr(pipeline, "discover", discover_then_delete)
    # Nothing outside the inbox is read: watch every open() of the secret's path.
    real_open = os.open

    def watching_open(path, *args, **kwargs):
        if isinstance(path, str | bytes | os.PathLike) and \
                Path(os.fsdecode(path)).resolve() == secret.resolve():
            opened.append(str(path))
        return real_open(path, *args, **kwargs)

    real_io_open = io.open

    def watching_io_open(file, *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and \
                Path(os.fsdecode(file)).resolve() == secret.resolve():
            opened.append(str(file))
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    monkeypatch.setattr(io, "open", watching_io_open)
    monkeypatch.setattr("builtins.open", watching_io_open)
    summary = digitize_inbox(str(inbox))
    assert summary.failed == []
    assert opened == []

    exported = _export()
    by_source: dict[str, list[dict]] = {}
    for line in exported:
        by_source.setdefault(line["source_name"], []).append(line)
    for name, words in expected.items():
        records = by_source.get(name)
        assert records and len(records) == 1, (name, records)
        record = records[0]
        assert record["status"] == "rejected", (name, record)
        text = " ".join(record["reasons"])
        words = (words,) if isinstance(words, str) else words
        assert any(w in text.lower() for w in words), (name, text)
        assert " / " in text  # Vietnamese for the clerk, English for the operator
    # The good files with awkward names are processed like any other.
    for name in ("scan with spaces.tif", "Giấy khai sinh Nguyễn.tif", "-rf.tif", "..tif",
                 "a..b.tif"):
        records = by_source[f"{WARD}/{name}"]
        assert records and all(r["status"] in ("digitized", "needs_review", "rejected")
                               for r in records)
        assert all(r["reasons"] for r in records if r["status"] != "digitized")
    # The 300-page PDF is processed: one outcome per (blank) page, each with its reason.
    big = by_source[f"{WARD}/big-300-pages.pdf"]
    assert sorted(p for r in big for p in r["pages"]) == list(range(1, 301))
    assert all(r["status"] == "rejected" and r["reasons"] for r in big)
    # Every file and folder in the batch has an outcome.
    assert set(by_source) == set(expected) | {
        f"{WARD}/{n}" for n in ("big-300-pages.pdf", "scan with spaces.tif",
                                "Giấy khai sinh Nguyễn.tif", "-rf.tif", "..tif", "a..b.tif")}
    # A rerun takes nothing twice (the vanished file is gone from the inbox).
    again = digitize_inbox(str(inbox))
    assert again.counts == {} and again.failed == []
    assert len(_export()) == len(exported)


def test_ocr_timeout_goes_to_review(tmp_path: Path, use_store, monkeypatch) -> None:
    """A page whose OCR runs past the per-page limit ends in review with a reason, no hang."""
    monkeypatch.setenv("DIGITIZE_PAGE_TIMEOUT_S", "0.05")
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    (tmp_path / "inbox" / WARD).mkdir(parents=True)
    (tmp_path / "inbox" / WARD / "page.tif").write_bytes((DATA / "tess_phototest.tif").read_bytes())
    summary = digitize_inbox(str(tmp_path / "inbox"))
    assert summary.failed == []
    [record] = _export()
    assert record["status"] == "needs_review"
    assert any("OCR took too long" in r for r in record["reasons"])
