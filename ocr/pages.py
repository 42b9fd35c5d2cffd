"""Split an uploaded file into page images, one page in memory at a time.

The format is decided by magic bytes, never by the file name: clerks rename files,
scanners write `.jpg` for TIFFs, and a text file called `scan.jpg` must be refused
with a reason a clerk can act on, not a stack trace.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ocr.clean import a4_dpi

# A 300 DPI A4 page is ~8.7 MP; 80 MP leaves room for A3 at 400 DPI and large
# photos while refusing decompression bombs (a 40000x40000 PNG is 1.6 GP and a
# few KB on disk). We check the declared size ourselves right after reading the
# header, so the limit holds whatever other modules set PIL's global to.
MAX_PIXELS = 80_000_000
MIN_SIDE = 200  # below this no field on a civil record can be read
PDF_TIMEOUT_S = 120

# Messages: Vietnamese first (clerks), English second (operators). Never include
# the file name or any content: both may carry personal data.
MSG_DAMAGED_PDF = "Tệp PDF bị hỏng hoặc không đầy đủ / The PDF is damaged or truncated"
MSG_ENCRYPTED = "Tệp PDF được bảo vệ bằng mật khẩu / The PDF is password-protected or encrypted"
MSG_NO_PAGES = "Tệp PDF không có trang nào / The PDF has no pages"
MSG_UNSUPPORTED = (
    "Định dạng tệp không được hỗ trợ (chỉ nhận PDF, TIFF, PNG, JPEG) / "
    "Not a supported image/PDF (PDF, TIFF, PNG, JPEG only)"
)
MSG_EMPTY = "Tệp rỗng / The file is empty"
MSG_DAMAGED_IMAGE = "Tệp ảnh bị hỏng hoặc không đầy đủ / The image is damaged or truncated"
MSG_TOO_LARGE = "Ảnh quá lớn để xử lý / The image is too large to process"
MSG_TOO_SMALL = "Ảnh quá nhỏ để đọc được / The image is too small to read"


class UnreadableInput(ValueError):
    """The file cannot be turned into page images; `str(exc)` is shown to the clerk."""


@dataclass
class Page:
    number: int  # 1-based
    image: np.ndarray  # uint8, BGR (H, W, 3) or grayscale (H, W)
    dpi: float | None  # None when the file does not say (or says nonsense)


def sniff_format(data: bytes) -> str:
    """'pdf' | 'tiff' | 'png' | 'jpeg' from the first bytes, else UnreadableInput."""
    if not data:
        raise UnreadableInput(MSG_EMPTY)
    head = data[:1024]
    # Some generators put junk before %PDF; readers accept it within the first KB.
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    raise UnreadableInput(MSG_UNSUPPORTED)


def _pdf_info(source: bytes | Path) -> dict:
    from pdf2image import pdfinfo_from_bytes, pdfinfo_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError

    try:
        if isinstance(source, Path):
            return pdfinfo_from_path(str(source), timeout=PDF_TIMEOUT_S)
        return pdfinfo_from_bytes(source, timeout=PDF_TIMEOUT_S)
    except PDFInfoNotInstalledError:
        raise  # an installation problem, not the clerk's file
    except Exception as exc:  # PDFPageCountError, PDFSyntaxError, ValueError...
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise UnreadableInput(MSG_ENCRYPTED) from None
        raise UnreadableInput(MSG_DAMAGED_PDF) from None


def _pdf_page_count(info: dict) -> int:
    try:
        return int(info.get("Pages", 0))
    except (TypeError, ValueError):
        return 0


def _pdf_dpi_cap(info: dict, dpi: int) -> int:
    """Lower the render DPI when the (first) page is so large it would exceed MAX_PIXELS."""
    size = str(info.get("Page size", ""))
    m = re.match(r"\s*([\d.]+)\s*x\s*([\d.]+)", size)
    if not m:
        return dpi
    w_in, h_in = float(m.group(1)) / 72.0, float(m.group(2)) / 72.0
    if w_in <= 0 or h_in <= 0:
        return dpi
    max_dpi = int((MAX_PIXELS / (w_in * h_in)) ** 0.5)
    return max(36, min(dpi, max_dpi))


def _readable_pdf(source: bytes | Path) -> tuple[dict, int]:
    """pdfinfo's answer and the page count, for a PDF this pipeline will read."""
    info = _pdf_info(source)
    # pdfinfo succeeds on owner-password-only files (poppler renders them), but
    # documents carrying any encryption are refused: OCRmyPDF does the same, and
    # an archive copy we cannot re-open later is worthless.
    if str(info.get("Encrypted", "no")).strip().lower().startswith("yes"):
        raise UnreadableInput(MSG_ENCRYPTED)
    n = _pdf_page_count(info)
    if n <= 0:
        raise UnreadableInput(MSG_NO_PAGES)
    return info, n


def _pdf_pages(path: Path, dpi: int, first: int = 1, last: int | None = None) -> Iterator[Page]:
    """Pages `first`..`last` of a PDF on disk: one pdfinfo, then one pdftoppm per page on the
    file itself (memory bounded by one page, whatever the page count; poppler honours /Rotate
    and the page CTM). Rendering from bytes through pdf2image wrote the whole file to a
    temporary file and ran pdfinfo again for every page: for a 100 MB scan, 200 MB written
    per page."""
    info, n = _readable_pdf(path)
    if first > n:
        raise UnreadableInput(MSG_NO_PAGES)
    render_dpi = _pdf_dpi_cap(info, dpi)
    for number in range(first, min(n, last or n) + 1):
        yield Page(number, _render_pdf_page(path, number, render_dpi), float(render_dpi))


def _render_pdf_page(path: Path, number: int, dpi: int) -> np.ndarray:
    """Page `number` of a PDF as BGR pixels: pdftoppm's PPM output read straight into one
    array, turned to BGR in place.

    Through `subprocess.run` and Pillow, one page's 26 MB of pixels (A4, 300 DPI) sat in
    memory five times over at once (the pipe's pieces and their join, Pillow's 4-byte
    pixels, the array, the channel swap): 109 MB above a worker's floor, the largest
    peak of the whole page. The size in the header is checked before any pixel is read,
    so a later page far larger than the first (whose size set the DPI) is refused
    without ever reaching this process's memory.
    """
    cmd = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-singlefile",
           str(path)]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        raise UnreadableInput(MSG_DAMAGED_PDF) from None
    assert proc.stdout is not None
    watchdog = threading.Timer(PDF_TIMEOUT_S, proc.kill)  # a stuck render ends its pipe
    watchdog.start()
    try:
        width, height = _ppm_size(proc.stdout)
        if (width, height) == (1, 1):
            # poppler's answer to a page it cannot allocate ("Bogus memory allocation
            # size"); no real page renders to one pixel
            raise UnreadableInput(MSG_TOO_LARGE)
        _check_size(width, height)
        pixels = np.empty((height, width, 3), np.uint8)
        view, got = memoryview(pixels).cast("B"), 0
        while got < len(view):
            n = proc.stdout.readinto(view[got:])
            if not n:
                raise UnreadableInput(MSG_DAMAGED_PDF)
            got += n
        if proc.wait() != 0:
            raise UnreadableInput(MSG_DAMAGED_PDF)
    finally:
        watchdog.cancel()
        proc.kill()
        proc.stdout.close()
        proc.wait()
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR, dst=pixels)


def _ppm_size(stream: IO[bytes]) -> tuple[int, int]:
    """Width and height from a binary 8-bit PPM header (P6, maxval 255), leaving `stream`
    at the first pixel."""
    fields: list[bytes] = []
    token = b""
    while len(fields) < 4:
        c = stream.read(1)
        if not c:
            raise UnreadableInput(MSG_DAMAGED_PDF)
        if c == b"#" and not token:
            while c not in (b"\n", b""):
                c = stream.read(1)
        elif c.isspace():
            if token:
                fields.append(token)
                token = b""
        else:
            token += c
            if len(token) > 10:
                raise UnreadableInput(MSG_DAMAGED_PDF)
    if fields[0] != b"P6" or fields[3] != b"255" or not (fields[1] + fields[2]).isdigit():
        raise UnreadableInput(MSG_DAMAGED_PDF)
    return int(fields[1]), int(fields[2])


def _split_pdf(data: bytes, dpi: int, first: int = 1, last: int | None = None) -> Iterator[Page]:
    """The same from bytes: one temporary copy of the file serves all its pages."""
    with tempfile.TemporaryDirectory(prefix="pdf-") as tmp:
        path = Path(tmp) / "input.pdf"
        path.write_bytes(data)
        yield from _pdf_pages(path, dpi, first, last)


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise UnreadableInput(MSG_TOO_LARGE)
    if width < MIN_SIDE or height < MIN_SIDE:
        raise UnreadableInput(MSG_TOO_SMALL)


def _image_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    try:
        x = float(dpi[0]) if isinstance(dpi, tuple | list) else float(dpi)
    except (TypeError, ValueError, IndexError):
        return None
    # JFIF often says 1x1 (aspect ratio only) or 72/96 (a screen default, not a
    # measurement). Treat anything implausible for a scan as unknown.
    if not (100 <= x <= 1200):
        return None
    return x


def _pil_to_array(img: Image.Image) -> np.ndarray:
    """BGR for colour, grayscale for 1-bit/gray frames (keeps memory down for bilevel TIFFs)."""
    if img.mode in ("1", "L", "I;16", "I", "F"):
        if img.mode != "L":
            img = img.convert("L")
        return np.asarray(img, dtype=np.uint8).copy()
    if img.mode in ("LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        # Transparent pixels are paper: composite on white, not on black.
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    # One copy out of PIL, then OpenCV's channel swap (no GIL held, no extra copies).
    return cv2.cvtColor(np.asarray(img, dtype=np.uint8), cv2.COLOR_RGB2BGR)


def _open_image(source: bytes | Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(source if isinstance(source, Path) else io.BytesIO(source))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableInput(MSG_TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnreadableInput(MSG_DAMAGED_IMAGE) from None
    return img


def _frame_page(number: int, frame: Image.Image, dpi: int, *, jpeg: bool) -> Page:
    """Page `number` from an opened, not yet decoded image frame. A JPEG finer than `dpi`
    needs is decoded at 1/2, 1/4 or 1/8 of its size (`_decode_coarser`)."""
    _check_size(*frame.size)  # header-only check before decoding any pixels
    found = _image_dpi(frame)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if jpeg:
                found = _decode_coarser(frame, found, dpi)
            frame.load()
            if jpeg:
                # Phone photos store pixels sideways plus an EXIF Orientation tag.
                frame = ImageOps.exif_transpose(frame)
            return Page(number, _pil_to_array(frame), found)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableInput(MSG_TOO_LARGE) from None
    except (OSError, SyntaxError, ValueError):
        raise UnreadableInput(MSG_DAMAGED_IMAGE) from None


def _decode_coarser(jpeg: Image.Image, found: float | None, dpi: int) -> float | None:
    """Have libjpeg decode `jpeg` at the smallest of 1/2, 1/4, 1/8 of its size that keeps
    `dpi` (its own DPI, else that of a whole A4 sheet in the frame); the DPI it then has.

    The cleaning brings every page to `dpi` anyway (`normalize_resolution`), and the
    DCT's own scaling is an area average as good as OpenCV's. Decoded whole, a 600 DPI
    A4 scan is 104 MB of pixels, 139 MB more inside Pillow and another 104 MB for the
    channel swap: a worker peaked at 569 MB on one such page, against 193 MB on a
    300 DPI one. A photo of unknown DPI is judged as if the sheet filled the frame:
    the sheet is smaller than the frame, so its own DPI is lower still, and the
    cleaning brings the frame to that same DPI before it looks for the sheet.
    """
    w, h = jpeg.size
    src = found or a4_dpi(w, h)
    if src < 2 * dpi:
        return found
    jpeg.draft(jpeg.mode, (max(1, math.ceil(w * dpi / src)), max(1, math.ceil(h * dpi / src))))
    if found is None:
        return None
    return found * jpeg.size[0] / w


def _split_image(data: bytes, kind: str, dpi: int) -> Iterator[Page]:
    img = _open_image(data)
    if kind == "tiff":
        n = 0
        try:
            for frame in ImageSequence.Iterator(img):
                n += 1
                yield _frame_page(n, frame, dpi, jpeg=False)
        except UnreadableInput:
            raise
        except (OSError, SyntaxError, ValueError, EOFError):
            raise UnreadableInput(MSG_DAMAGED_IMAGE) from None
        if n == 0:
            raise UnreadableInput(MSG_DAMAGED_IMAGE)
        return
    yield _frame_page(1, img, dpi, jpeg=(kind == "jpeg"))


def split_pages(data: bytes, name: str, dpi: int = 300) -> Iterator[Page]:
    """Yield the pages of a PDF, TIFF, PNG or JPEG, one at a time.

    `name` is accepted for the caller's logs only; the format comes from the bytes.
    `dpi` is the render resolution for PDFs and the finest a JPEG is decoded at
    (`_decode_coarser`). Raises UnreadableInput (possibly
    after some pages were yielded, for a file damaged half-way).
    """
    del name  # deliberately unused: extensions lie
    kind = sniff_format(data)
    if kind == "pdf":
        yield from _split_pdf(data, dpi)
    else:
        yield from _split_image(data, kind, dpi)


def load_page(source: bytes | Path, name: str, number: int, dpi: int = 300) -> Page:
    """Page `number` (1-based) alone, without decoding the others: a page task's input.
    `source` is the file's bytes or, better for PDFs, the file itself (no copy of it)."""
    del name
    if isinstance(source, Path):
        with source.open("rb") as f:
            kind = sniff_format(f.read(1024))
        if kind == "pdf":
            return next(_pdf_pages(source, dpi, first=number, last=number))
        source = source.read_bytes()
    data = source
    kind = sniff_format(data)
    if kind == "pdf":
        pages = _split_pdf(data, dpi, first=number, last=number)
        try:
            return next(pages)
        finally:
            pages.close()  # removes the temporary copy now, not when collected
    img = _open_image(data)
    try:
        img.seek(number - 1)
    except (EOFError, OSError, ValueError):
        raise UnreadableInput(MSG_DAMAGED_IMAGE) from None
    return _frame_page(number, img, dpi, jpeg=(kind == "jpeg"))


def count_pages(source: bytes | Path, name: str) -> int:
    """Number of pages without rendering any (PDF) or decoding pixels (images). `source`:
    the file's bytes or, better for a large file, the file itself (read in part)."""
    del name
    if isinstance(source, Path):
        with source.open("rb") as f:
            kind = sniff_format(f.read(1024))
    else:
        kind = sniff_format(source)
    if kind == "pdf":
        return _readable_pdf(source)[1]
    with _open_image(source) as img:  # closes the file it opened
        if kind == "tiff":
            try:
                return max(1, int(getattr(img, "n_frames", 1)))
            except (OSError, SyntaxError, ValueError, EOFError):
                raise UnreadableInput(MSG_DAMAGED_IMAGE) from None
        return 1


def png_bytes(image: np.ndarray) -> bytes:
    """A page image as PNG (lossless: the stored page is what Tesseract read)."""
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("the page image could not be encoded as PNG")
    return png.tobytes()
