"""ocr.pages: format sniffing, page splitting and clerk-readable refusals."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.pages import Page, UnreadableInput, count_pages, load_page, split_pages

DATA = Path(__file__).parent / "data"


def _img(w: int = 300, h: int = 400, value: int = 255) -> Image.Image:
    im = Image.new("L", (w, h), value)
    im.paste(0, (20, 20, 120, 60))  # something that is not blank
    return im


def _pdf(pages: int, resolution: float = 100.0) -> bytes:
    buf = io.BytesIO()
    frames = [_img() for _ in range(pages)]
    frames[0].save(buf, "PDF", save_all=True, append_images=frames[1:], resolution=resolution)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _message_ok(exc: pytest.ExceptionInfo[UnreadableInput]) -> str:
    msg = str(exc.value)
    assert " / " in msg  # Vietnamese / English
    assert "secret" not in msg.lower()  # the file name never leaks into the message
    return msg


def test_multipage_tiff_yields_every_frame_with_dpi() -> None:
    buf = io.BytesIO()
    frames = [_img(300 + 10 * i, 400) for i in range(3)]
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    data = buf.getvalue()
    pages = list(split_pages(data, "secret-name.pdf"))  # extension lies: bytes win
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.image.shape[1] for p in pages] == [300, 310, 320]
    assert all(p.dpi == pytest.approx(200) for p in pages)
    assert count_pages(data, "x.tif") == 3


def test_multipage_pdf_one_page_at_a_time() -> None:
    data = _pdf(2)
    assert count_pages(data, "a.pdf") == 2
    it = split_pages(data, "a.pdf", dpi=100)
    first = next(it)  # a generator: page 2 is not rendered yet
    assert isinstance(first, Page) and first.number == 1 and first.dpi == 100
    # 300x400 px at 100 dpi in the PDF -> 3x4 in -> 300x400 px rendered at 100 dpi
    assert abs(first.image.shape[0] - 400) <= 2 and abs(first.image.shape[1] - 300) <= 2
    rest = list(it)
    assert [p.number for p in rest] == [2]


def test_a_page_task_reads_a_pdf_page_from_the_file_itself(tmp_path: Path) -> None:
    """The same page from the file as from its bytes (the file path spares a copy of a
    large PDF for every page); a damaged file is refused with the same reason."""
    data = _pdf(3)
    path = tmp_path / "secret.pdf"
    path.write_bytes(data)
    from_file = load_page(path, "secret.pdf", 3, dpi=100)
    from_bytes = load_page(data, "secret.pdf", 3, dpi=100)
    assert from_file.number == 3 and from_file.dpi == 100
    assert np.array_equal(from_file.image, from_bytes.image)
    with pytest.raises(UnreadableInput) as exc:
        load_page(path, "secret.pdf", 4, dpi=100)
    _message_ok(exc)
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(UnreadableInput) as exc:
        load_page(path, "secret.pdf", 1, dpi=100)
    _message_ok(exc)


def _pdf_small_then_large(large_side: int) -> bytes:
    """Page 1 is 10 x 10 inches, page 2 `large_side` / 10 inches square."""
    buf = io.BytesIO()
    _img(100, 100).save(buf, "PDF", save_all=True, append_images=[_img(large_side, large_side)],
                        resolution=10.0)
    return buf.getvalue()


def test_a_pdf_page_far_larger_than_the_first_is_refused_before_its_pixels_are_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The render DPI is set from the first page's size, so a later page can still exceed
    the pixel limit. Its size comes from the renderer's header, before any pixel reaches
    the worker: refused with a reason, and the pages before it are read. (The limit is
    lowered here so the test renders 9 MP, not the 80 MP of the real one.)"""
    monkeypatch.setattr("ocr.pages.MAX_PIXELS", 5_000_000)
    pages = split_pages(_pdf_small_then_large(300), "secret.pdf", dpi=100)
    first = next(pages)  # 10 x 10 inches at 100 DPI
    assert first.image.shape == (1000, 1000, 3) and first.image[:, :, 0].min() == 0
    with pytest.raises(UnreadableInput) as exc:
        next(pages)  # 30 x 30 inches: 9 MP
    assert "too large" in _message_ok(exc)


def test_a_pdf_page_the_renderer_cannot_hold_is_refused_as_too_large() -> None:
    """Poppler answers a page it cannot allocate (300 x 300 inches at 300 DPI: 24 GB)
    with a 1 x 1 white image; the clerk is told the page is too large, not too small."""
    pages = split_pages(_pdf_small_then_large(3000), "secret.pdf", dpi=300)
    next(pages)
    with pytest.raises(UnreadableInput) as exc:
        next(pages)
    assert "too large" in _message_ok(exc)


def _jpeg(width: int, height: int, dpi: int | None) -> bytes:
    im = Image.new("RGB", (width, height), "white")
    im.paste((0, 0, 0), (0, 0, width // 2, height))  # left half black
    buf = io.BytesIO()
    im.save(buf, "JPEG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def test_a_fine_jpeg_is_decoded_no_finer_than_pages_are_read() -> None:
    """A 600 DPI scan decoded whole took a page worker to 569 MB. libjpeg's own scaling
    decodes it at the 300 DPI the cleaning brings every page to; coarser ones stay whole."""
    page = load_page(_jpeg(1200, 1600, 600), "scan.jpg", 1, dpi=300)
    assert page.image.shape[:2] == (800, 600) and page.dpi == pytest.approx(300)
    assert page.image[:, :290].mean() < 10 and page.image[:, 310:].mean() > 245
    whole = load_page(_jpeg(800, 1000, 400), "scan.jpg", 1, dpi=300)  # half would be 200
    assert whole.image.shape[:2] == (1000, 800) and whole.dpi == pytest.approx(400)
    # No DPI: judged as a whole A4 sheet filling the frame (5000 x 7100 px: 605 DPI).
    photo = load_page(_jpeg(5000, 7100, None), "photo.jpg", 1, dpi=300)
    assert photo.image.shape[:2] == (3550, 2500) and photo.dpi is None


def test_real_bilevel_tiff_keeps_its_dpi() -> None:
    pages = list(split_pages((DATA / "tess_phototest.tif").read_bytes(), "p.tif"))
    assert len(pages) == 1
    assert pages[0].image.dtype == np.uint8 and pages[0].image.ndim == 2
    assert pages[0].dpi == pytest.approx(200)


def test_jpeg_exif_orientation_is_honoured() -> None:
    im = Image.new("RGB", (400, 300), "white")
    im.paste((0, 0, 0), (0, 0, 200, 300))  # left half black
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display", as phones write it
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif, dpi=(300, 300))
    (page,) = list(split_pages(buf.getvalue(), "photo.jpg"))
    assert page.image.shape[:2] == (400, 300)  # displayed portrait
    assert page.image[:200].mean() < 60  # black half is now on top
    assert page.dpi == pytest.approx(300)


def test_png_without_dpi_reports_none_and_rgba_goes_on_white() -> None:
    im = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    (page,) = list(split_pages(buf.getvalue(), "x.png"))
    assert page.dpi is None
    assert page.image.mean() > 250  # transparent = paper, not black


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"Just a text file pretending to be a photo\n", "not a supported"),
        (b"GIF89a" + b"\0" * 100, "not a supported"),
    ],
)
def test_unsupported_inputs(data: bytes, fragment: str) -> None:
    with pytest.raises(UnreadableInput) as exc:
        list(split_pages(data, "secret.jpg"))
    assert fragment in _message_ok(exc).lower()
    with pytest.raises(UnreadableInput):
        count_pages(data, "secret.jpg")


def test_tiny_image_is_too_small() -> None:
    buf = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buf, "PNG")
    with pytest.raises(UnreadableInput) as exc:
        list(split_pages(buf.getvalue(), "secret.png"))
    assert "too small" in _message_ok(exc).lower()


def test_decompression_bomb_header_is_refused_without_decoding() -> None:
    with pytest.raises(UnreadableInput) as exc:
        list(split_pages(_png_header_only(40000, 40000), "secret.png"))
    assert "too large" in _message_ok(exc).lower()


def test_truncated_pdf() -> None:
    data = _pdf(2)
    with pytest.raises(UnreadableInput) as exc:
        list(split_pages(data[: len(data) // 3], "secret.pdf", dpi=72))
    assert "pdf" in _message_ok(exc).lower()


def test_truncated_jpeg() -> None:
    buf = io.BytesIO()
    _img(600, 600).convert("RGB").save(buf, "JPEG")
    data = buf.getvalue()
    with pytest.raises(UnreadableInput):
        list(split_pages(data[: len(data) // 3], "secret.jpg"))


def test_zero_page_pdf() -> None:
    data = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(UnreadableInput):
        list(split_pages(data, "secret.pdf"))
    with pytest.raises(UnreadableInput):
        count_pages(data, "secret.pdf")


def test_encrypted_pdf() -> None:
    data = _pdf(1)
    # Add a Standard security handler with a user password we do not know.
    enc = (
        b"/Encrypt << /Filter /Standard /V 1 /R 2 /P -4 "
        b"/O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> >> "
        b"/ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>] "
    )
    i = data.rindex(b"trailer")
    j = data.index(b"<<", i) + 2
    data = data[:j] + b" " + enc + data[j:]
    with pytest.raises(UnreadableInput) as exc:
        list(split_pages(data, "secret.pdf"))
    assert "password" in _message_ok(exc).lower()
