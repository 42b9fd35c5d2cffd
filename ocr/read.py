"""Run Tesseract on a cleaned page and return words, lines and a quality score.

One Tesseract process per page (never per field: pytesseract reloads the model
on every call). Each Tesseract is limited to one thread: pages are parallelized
across processes by the caller, and several multi-threaded Tesseracts fighting
over cores are many times slower (see docs / field notes).
"""

from __future__ import annotations

import csv
import ctypes
import io
import os
import re
import statistics
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ocr.text import Line, PageText, Word, nfc

# Set before pytesseract starts any tesseract process; respect an operator's choice.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import pytesseract  # noqa: E402  (must follow the environment setting above)

# psm 3 (automatic layout) measured best on the two-column certificates: psm 4
# and 6 (one column / one block) read both columns as one line and pick up more
# junk from the remaining pattern; see bench/ocr_real.py and the report.
DEFAULT_PSM = 3
BLOCK_PSM = 6  # one block of text: the crops read again (ocr.process), never a whole page
DEFAULT_DPI = 300
# A runner-up character at this share (of 100) or more makes another reading of its word
# worth a look. Measured on the OCR bench's cleaned pages: 74 % of the words misread by a
# mark alone at confidence >= 90 have one, against 5.6 % of the words read right.
RIVAL_MIN_CONF = 10.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (musl, macOS)."""
    try:
        # the symbols already loaded (libc among them): no library search at import
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


class OcrTimeout(RuntimeError):
    """Tesseract did not finish a page in time (a pathological image, or an overloaded host)."""


# A plausible word: letters (any script Tesseract knows, incl. Vietnamese), or a
# number / date / code, with ordinary punctuation around it.
_WORD_OK = re.compile(r"^[\(\"'“]?(?:[^\W\d_]+|\d+(?:[./\-:,]\d+)*)[\)\"'”.,:;!?]*$")


def _config(psm: int, dpi: int) -> str:
    # --dpi: our images carry no DPI metadata once in numpy; without it Tesseract
    # guesses (and warns), which changes its size filters.
    return f"--psm {int(psm)} --dpi {int(dpi)}"


def installed_models() -> set[str]:
    """The models this machine's Tesseract can read with (`tesseract --list-langs`; not
    pytesseract's get_languages, which leaves out names with capitals such as the script
    model `Vietnamese`). Empty when Tesseract itself is missing."""
    try:
        out = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                             capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


def plausible_word(text: str) -> bool:
    return bool(_WORD_OK.match(text))


def page_quality(words: list[Word]) -> float:
    """0-1: mean confidence weighted with the share of plausible words.

    Confidence alone is fooled by pattern noise that Tesseract reads confidently
    as punctuation; the share of real-looking words (letters, or digits) catches
    that. Product, so either one being poor makes the page poor.
    """
    if not words:
        return 0.0
    conf = sum(w.conf for w in words) / len(words) / 100.0
    plausible = sum(1 for w in words if plausible_word(nfc(w.text))) / len(words)
    return round(max(0.0, min(1.0, conf * (0.3 + 0.7 * plausible))), 4)


def _rows_to_page(
    rows: list[dict[str, str]], width: int, height: int,
    rivals: dict[tuple[int, int, int, int], tuple[tuple[str, float], ...]] | None = None,
    whole_page: bool = True,
) -> PageText:
    """Group TSV word rows (level 5) into lines by (block, par, line).

    Blocks are ordered top-to-bottom (then left-to-right); inside a block
    Tesseract's own order is kept (it knows the column and line flow better).
    """
    lines_by_key: dict[tuple[int, int, int], list[Word]] = {}
    block_pos: dict[int, tuple[int, int]] = {}
    for row in rows:
        try:
            conf = float(row.get("conf", "-1"))
        except ValueError:
            continue
        text = nfc((row.get("text") or "").strip())
        if conf < 0 or not text:
            continue
        try:
            key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
            left, top = int(row["left"]), int(row["top"])
            w, h = int(row["width"]), int(row["height"])
        except (KeyError, ValueError):
            continue
        others = rivals.get((left, top, w, h), ()) if rivals else ()
        lines_by_key.setdefault(key, []).append(Word(text, conf, left, top, w, h, key,
                                                     rivals=others))
        b = key[0]
        prev = block_pos.get(b)
        block_pos[b] = (top, left) if prev is None else (min(prev[0], top), min(prev[1], left))
    # Vietnamese is written across the page: a "line" Tesseract reads down the page is a
    # column of row numbers or a border read as vertical text, garbage a value could absorb.
    # Unless most lines run down the page: then the page itself was left turned a quarter,
    # and its vertical lines are its text.
    vertical = {k for k, ws in lines_by_key.items() if _is_vertical(ws)}
    if 2 * len(vertical) <= sum(1 for ws in lines_by_key.values() if len(ws) > 1):
        lines_by_key = {k: ws for k, ws in lines_by_key.items() if k not in vertical}
    framed = _frame_columns(lines_by_key, width) if whole_page else set()
    if framed:
        lines_by_key = {k: kept for k, ws in lines_by_key.items()
                        if (kept := [w for w in ws if id(w) not in framed])}
    first_seen = {k: i for i, k in enumerate(lines_by_key)}
    order = sorted(
        lines_by_key,
        key=lambda k: (block_pos[k[0]][0], block_pos[k[0]][1], k[0], first_seen[k]),
    )
    lines = [Line(lines_by_key[k]) for k in order]
    words = [w for line in lines for w in line.words]
    mean_conf = round(sum(w.conf for w in words) / len(words), 2) if words else 0.0
    return PageText(
        lines=lines, mean_conf=mean_conf, quality=page_quality(words), width=width, height=height
    )


# A certificate's ornamental frame, where the cleaning leaves it (a fax of security paper),
# is read as a narrow column of junk at each side (`=`, `E`, `sỉ`, `vẽ:`), one per line: a
# value wrapping onto the next line took it in (`tỉnh Bình sỉ Dương`). Such a column lies in
# the outer `FRAME_SIDE` of the page, at least `FRAME_MIN_WORDS` lines repeat it, and each
# of its words stands apart from the line's text (a row number, `12. Nơi`, does not).
FRAME_SIDE = 0.08
FRAME_MIN_WORDS = 5
FRAME_GAP = 1.5  # word heights between a frame word and the line's text


def _frame_columns(lines: dict[tuple[int, int, int], list[Word]], width: int) -> set[int]:
    """ids of the words that make up a frame's column at the left or right edge."""
    found: set[int] = set()
    for side in ("left", "right"):
        column: list[Word] = []
        for ws in lines.values():
            ordered = sorted(ws, key=lambda w: w.left)
            edge, inner = (ordered[0], ordered[1:2]) if side == "left" else (
                ordered[-1], ordered[-2:-1])
            at_edge = (edge.right <= FRAME_SIDE * width if side == "left"
                       else edge.left >= (1 - FRAME_SIDE) * width)
            gap = (inner[0].left - edge.right if side == "left" else edge.left - inner[0].right
                   ) if inner else width
            if at_edge and gap >= FRAME_GAP * edge.height:
                column.append(edge)
        if len(column) < FRAME_MIN_WORDS:
            continue
        # the strip's other words go too (a line may hold two bits of the frame, `E _`),
        # each standing apart from the line's text as the column's words do
        pad = int(statistics.median(w.height for w in column)) // 2
        start, end = min(w.left for w in column) - pad, max(w.right for w in column) + pad
        for ws in lines.values():
            in_strip = [start <= w.left and w.right <= end for w in ws]
            inside = [w for w, yes in zip(ws, in_strip, strict=True) if yes]
            rest = [w for w, yes in zip(ws, in_strip, strict=True) if not yes]
            for w in inside:
                gap = ((min(r.left for r in rest) - w.right) if side == "left" else
                       (w.left - max(r.right for r in rest))) if rest else width
                if gap >= FRAME_GAP * w.height:
                    found.add(id(w))
    return found


def _is_vertical(words: list[Word]) -> bool:
    """True when every word stands below or above the one before it, not beside it."""
    if len(words) < 2:
        return False
    for a, b in zip(words, words[1:], strict=False):
        overlap = min(a.right, b.right) - max(a.left, b.left)
        apart = abs(a.top - b.top) >= 0.8 * max(a.height, b.height)
        if not apart or overlap < 0.5 * min(a.width, b.width):
            return False
    return True


def _dict_to_rows(data: dict[str, list]) -> list[dict[str, str]]:
    keys = list(data)
    n = len(data.get("text", []))
    return [{k: str(data[k][i]) for k in keys} for i in range(n)]


def _is_timeout(exc: BaseException) -> bool:
    return "timeout" in str(exc).lower()


def _word_rivals(word: ET.Element, text: str) -> tuple[tuple[str, float], ...]:
    """The readings of one hOCR word with one character swapped for a runner-up that
    Tesseract gave at least RIVAL_MIN_CONF (`lstm_choice_mode=2`: each character's
    choices, best first). Only letters and digits compete: a comma against a space is no
    other reading. None when the best choices do not spell the word as read (the word
    went through a later correction): the choices then say nothing about it."""
    groups: list[list[tuple[str, float]]] = []
    for group in word:
        if not (group.get("id") or "").startswith("lstm_choices"):
            continue
        choices = []
        for choice in group:
            title = choice.get("title") or ""
            try:
                choices.append((choice.text or "", float(title.split()[-1])))
            except (ValueError, IndexError):
                continue
        if choices and choices[0][0].strip():  # a word's leading space has its own step
            groups.append(choices)
    best = [g[0][0] for g in groups]
    if not groups or nfc("".join(best)) != text:
        return ()
    rivals: dict[str, float] = {}
    for i, group in enumerate(groups):
        for alt, conf in group[1:]:
            if conf >= RIVAL_MIN_CONF and alt.isalnum() and alt.lower() != best[i].lower():
                rival = nfc("".join(best[:i] + [alt] + best[i + 1:]))
                if rival != text:
                    rivals[rival] = max(rivals.get(rival, 0.0), round(conf, 1))
    return tuple(rivals.items())


def rivals_by_box(hocr: str) -> dict[tuple[int, int, int, int], tuple[tuple[str, float], ...]]:
    """(left, top, width, height) -> the word's rivals, for the words that have some."""
    found: dict[tuple[int, int, int, int], tuple[tuple[str, float], ...]] = {}
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError:
        return found
    for el in root.iter():
        if el.get("class") != "ocrx_word":
            continue
        box = re.match(r"bbox (\d+) (\d+) (\d+) (\d+)", el.get("title") or "")
        text = nfc((el.text or "").strip())
        if not box or not text:
            continue
        rivals = _word_rivals(el, text)
        if rivals:
            x0, y0, x1, y1 = (int(v) for v in box.groups())
            found[(x0, y0, x1 - x0, y1 - y0)] = rivals
    return found


def _run_tesseract(src: Path, lang: str, timeout: float, psm: int, dpi: int,
                   formats: list[str], extra: tuple[str, ...] = ()) -> dict[str, Path]:
    """One Tesseract process on the image file `src`: the path of each output format."""
    out = src.with_name("out")
    cmd = [pytesseract.pytesseract.tesseract_cmd, str(src), str(out), "-l", lang,
           "--psm", str(int(psm)), "--dpi", str(int(dpi)), *extra, *formats]
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    # The cleaning's arrays, freed by now, stay in this process's heap (glibc keeps
    # them) while Tesseract reads the page for seconds: give them back first. A page
    # worker then waits at about 120 MB instead of 227 (the cleaning's peak).
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise OcrTimeout(f"Tesseract timed out after {timeout:g} s") from None
    paths = {f: out.with_suffix(f".{f}") for f in formats}
    if proc.returncode != 0 or not all(p.exists() for p in paths.values()):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"tesseract failed ({proc.returncode}): {' | '.join(err)}")
    return paths


def _tsv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def _tesseract(
    image: np.ndarray, lang: str, timeout: float, psm: int, dpi: int, *, pdf: bool, rivals: bool,
) -> tuple[PageText, bytes | None]:
    """One Tesseract process on one page: TSV words, and in the same call the searchable
    PDF (`pdf`) and each character's runner-up readings (`rivals`, from hOCR)."""
    h, w = image.shape[:2]
    formats = ["tsv", *(["hocr"] if rivals else []), *(["pdf"] if pdf else [])]
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        src = Path(tmp) / "page.png"
        # PNG is lossless and fast to write for binary pages.
        if not cv2.imwrite(str(src), image):
            raise ValueError("could not encode the page image")
        paths = _run_tesseract(src, lang, timeout, psm, dpi, formats,
                               ("-c", "lstm_choice_mode=2") if rivals else ())
        rows = _tsv_rows(paths["tsv"])
        hocr = paths["hocr"].read_text(encoding="utf-8") if rivals else ""
        pdf_bytes = paths["pdf"].read_bytes() if pdf else None
    return _rows_to_page(rows, w, h, rivals_by_box(hocr) if rivals else None,
                         whole_page=psm != BLOCK_PSM), pdf_bytes


def read_strips(strips: list[np.ndarray], lang: str = "vie", timeout: float = 120,
                psm: int = BLOCK_PSM, dpi: int = DEFAULT_DPI) -> list[PageText]:
    """Read several small images (strips of one page) in ONE Tesseract process, each on its
    own: they go as the pages of one TIFF, so each gets its own layout analysis. Stacked
    into one image instead, a strip of ornament read as junk changed how the strip beside
    it was cut into words (`Số: 420` read `S ố: 1 2 0`). Returns one PageText per strip."""
    if not strips:
        return []
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        src = Path(tmp) / "strips.tif"
        if not cv2.imwritemulti(str(src), strips):
            raise ValueError("could not encode the strips")
        rows = _tsv_rows(_run_tesseract(src, lang, timeout, psm, dpi, ["tsv"])["tsv"])
    by_page: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        try:
            by_page.setdefault(int(row["page_num"]), []).append(row)
        except (KeyError, ValueError):
            continue
    return [_rows_to_page(by_page.get(n, []), s.shape[1], s.shape[0], whole_page=False)
            for n, s in enumerate(strips, start=1)]


def read_page(
    image: np.ndarray,
    lang: str = "vie",
    timeout: float = 120,
    psm: int = DEFAULT_PSM,
    dpi: int = DEFAULT_DPI,
    rivals: bool = False,
) -> PageText:
    """OCR one page image (uint8 gray, binary or BGR) into words and lines, NFC.

    `rivals`: also each word's runner-up readings (Word.rivals; about 10 % more time)."""
    if rivals:
        return _tesseract(image, lang, timeout, psm, dpi, pdf=False, rivals=True)[0]
    h, w = image.shape[:2]
    try:
        data = pytesseract.image_to_data(
            image,
            lang=lang,
            config=_config(psm, dpi),
            output_type=pytesseract.Output.DICT,
            timeout=timeout,
        )
    except RuntimeError as exc:  # pytesseract signals its own timeout this way
        if _is_timeout(exc):
            raise OcrTimeout(f"Tesseract timed out after {timeout:g} s") from None
        raise
    return _rows_to_page(_dict_to_rows(data), w, h, whole_page=psm != BLOCK_PSM)


def read_page_with_pdf(
    image: np.ndarray,
    lang: str = "vie",
    timeout: float = 120,
    psm: int = DEFAULT_PSM,
    dpi: int = DEFAULT_DPI,
    rivals: bool = False,
) -> tuple[PageText, bytes]:
    """Text and searchable PDF from ONE Tesseract run (`tesseract img out tsv pdf`).

    Half the cost of a second Tesseract call for the PDF: the page is recognized once.
    """
    text, pdf = _tesseract(image, lang, timeout, psm, dpi, pdf=True, rivals=rivals)
    assert pdf is not None
    return text, pdf
