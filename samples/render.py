"""Render a `RecordData` to A4 page images at 300 DPI (2480 x 3508), as Vietnamese offices print.

Layouts (per document type, `LAYOUTS`):

- birth_certificate: `dotted` (current form: dotted leaders, upper-case names, three labels on
  one line, date in words), `colon` (`Label: value` lines), `colon_inline` (several labels on
  one line, dates in words), `next_line` (label, value on the next line), `typewriter_copy`
  (an older `BẢN SAO` typed in a monospace font, `Quyển số`).
- resident_info_form (DC01): `numbered` (`1. Họ, chữ đệm và tên khai sinh: ...`),
  `numbered_dotted`, `table` (bordered label | value table), `two_pages` (continued on page 2).
- marriage_certificate: `columns_label_left` (label column, then `Chồng` | `Vợ`),
  `columns_repeated` (two columns each with its own labels, as on the current form),
  `sections` (a `Chồng` section, then a `Vợ` section).

Certificates (birth, marriage) can be printed on security paper: a pale guilloche (green, blue
or pink), an ornamental border, a central rosette, an emblem, a red title and a red seal over
the signature.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.people import Person, RecordData, title_name

__all__ = [
    "PAGE_SIZE",
    "DPI",
    "LAYOUTS",
    "FONTS",
    "PALETTES",
    "HELD_OUT_PALETTES",
    "HELD_OUT_FONTS",
    "Rendered",
    "render_record",
    "render_blank",
    "render_letter",
    "security_paper",
    "date_in_words",
    "number_words",
]

DPI = 300
PAGE_SIZE = (2480, 3508)
W, H = PAGE_SIZE

LAYOUTS: dict[str, tuple[str, ...]] = {
    "birth_certificate": ("dotted", "colon", "colon_inline", "next_line", "typewriter_copy"),
    "resident_info_form": ("numbered", "numbered_dotted", "table", "two_pages"),
    "marriage_certificate": ("columns_label_left", "columns_repeated", "sections"),
}
SECURITY_LAYOUTS = {"dotted", "colon_inline", "columns_label_left", "columns_repeated", "sections"}

_LIB = "/usr/share/fonts/truetype/liberation2/"
_DJV = "/usr/share/fonts/truetype/dejavu/"
_NOTO = "/usr/share/fonts/truetype/noto/"


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: str
    bold: str
    italic: str


FONTS: dict[str, FontFamily] = {
    f.name: f
    for f in (
        FontFamily("Liberation Serif", _LIB + "LiberationSerif-Regular.ttf",
                   _LIB + "LiberationSerif-Bold.ttf", _LIB + "LiberationSerif-Italic.ttf"),
        FontFamily("Liberation Sans", _LIB + "LiberationSans-Regular.ttf",
                   _LIB + "LiberationSans-Bold.ttf", _LIB + "LiberationSans-Italic.ttf"),
        FontFamily("DejaVu Serif", _DJV + "DejaVuSerif.ttf", _DJV + "DejaVuSerif-Bold.ttf",
                   _DJV + "DejaVuSerif-Italic.ttf"),
        FontFamily("DejaVu Sans", _DJV + "DejaVuSans.ttf", _DJV + "DejaVuSans-Bold.ttf",
                   _DJV + "DejaVuSans-Oblique.ttf"),
        FontFamily("Noto Serif", _NOTO + "NotoSerif-Regular.ttf", _NOTO + "NotoSerif-Bold.ttf",
                   _NOTO + "NotoSerif-Italic.ttf"),
        FontFamily("Noto Sans", _NOTO + "NotoSans-Regular.ttf", _NOTO + "NotoSans-Bold.ttf",
                   _NOTO + "NotoSans-Italic.ttf"),
        FontFamily("Liberation Mono", _LIB + "LiberationMono-Regular.ttf",
                   _LIB + "LiberationMono-Bold.ttf", _LIB + "LiberationMono-Italic.ttf"),
        FontFamily("DejaVu Sans Mono", _DJV + "DejaVuSansMono.ttf",
                   _DJV + "DejaVuSansMono-Bold.ttf", _DJV + "DejaVuSansMono-Oblique.ttf"),
    )
}  # fmt: skip
LABEL_FONTS = ["Liberation Serif", "Liberation Serif", "Noto Serif", "DejaVu Serif",
               "Liberation Sans", "Noto Sans", "DejaVu Sans"]  # fmt: skip
MONO_FONTS = ["Liberation Mono"]  # DejaVu Sans Mono lacks precomposed Vietnamese

# Families the generator never picks by itself, for checking the reading on fonts it was
# not built against (`bench.records --held-out-fonts`). GNU FreeFont comes from Debian's
# fonts-freefont-ttf and DejaVu's condensed faces from fonts-dejavu-extra: `make
# bench-fonts` installs both. Each has every Vietnamese letter.
_FREE = "/usr/share/fonts/truetype/freefont/"
HELD_OUT_FONTS: dict[str, FontFamily] = {
    f.name: f
    for f in (
        FontFamily("FreeSerif", _FREE + "FreeSerif.ttf", _FREE + "FreeSerifBold.ttf",
                   _FREE + "FreeSerifItalic.ttf"),
        FontFamily("FreeSans", _FREE + "FreeSans.ttf", _FREE + "FreeSansBold.ttf",
                   _FREE + "FreeSansOblique.ttf"),
        FontFamily("DejaVu Serif Condensed", _DJV + "DejaVuSerifCondensed.ttf",
                   _DJV + "DejaVuSerifCondensed-Bold.ttf",
                   _DJV + "DejaVuSerifCondensed-Italic.ttf"),
        FontFamily("Noto Serif Display", _NOTO + "NotoSerifDisplay-Regular.ttf",
                   _NOTO + "NotoSerifDisplay-Bold.ttf", _NOTO + "NotoSerifDisplay-Italic.ttf"),
        FontFamily("FreeMono", _FREE + "FreeMono.ttf", _FREE + "FreeMonoBold.ttf",
                   _FREE + "FreeMonoOblique.ttf"),
    )
}  # fmt: skip
HELD_OUT_MONO = "FreeMono"  # the typewriter of a held-out rendering

# name -> (paper tint, guilloche line, border/ornament)
PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "green": ((240, 248, 240), (150, 208, 170), (70, 160, 110)),
    "blue": ((238, 244, 252), (150, 184, 222), (70, 110, 180)),
    "pink": ((252, 240, 242), (230, 165, 182), (200, 90, 120)),
}
# Palettes the generator never picks, for checking the security-paper cleaning on colours it
# was not built against (`make bench-palettes`): warm, violet, a darker teal pattern, and a
# neutral grey one that no colour rule can tell from ink.
HELD_OUT_PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "ochre": ((252, 248, 232), (222, 200, 130), (175, 140, 50)),
    "violet": ((247, 241, 251), (195, 170, 220), (120, 80, 165)),
    "dark teal": ((236, 244, 243), (110, 170, 165), (30, 110, 105)),
    "grey": ((244, 244, 244), (175, 175, 175), (110, 110, 110)),
}
INK = (22, 22, 28)
RED = (205, 30, 35)


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@dataclass
class Rendered:
    pages: list[Image.Image]
    layout: str
    font: str
    security_paper: bool = False
    palette: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


# -- words and dates ------------------------------------------------------------------------
_UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def number_words(n: int) -> str:
    """Vietnamese words for 0 <= n < 10000 (`2021` -> `hai nghìn không trăm hai mươi mốt`)."""
    if n < 10:
        return _UNITS[n]
    if n < 20:
        return "mười" + ("" if n == 10 else " " + ("lăm" if n % 10 == 5 else _UNITS[n % 10]))
    if n < 100:
        tens, unit = divmod(n, 10)
        tail = {0: "", 1: " mốt", 4: " tư", 5: " lăm"}.get(unit, " " + _UNITS[unit])
        return f"{_UNITS[tens]} mươi{tail}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_UNITS[hundreds]} trăm"
        if rest == 0:
            return head
        return f"{head} lẻ {_UNITS[rest]}" if rest < 10 else f"{head} {number_words(rest)}"
    thousands, rest = divmod(n, 1000)
    head = f"{_UNITS[thousands]} nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return f"{head} không trăm " + (f"lẻ {_UNITS[rest]}" if rest < 10 else number_words(rest))
    return f"{head} {number_words(rest)}"


def date_in_words(d: date) -> str:
    month = "tư" if d.month == 4 else number_words(d.month)
    return f"Ngày {number_words(d.day)} tháng {month} năm {number_words(d.year)}"


def fmt_date(d: date, style: str) -> str:
    if style == "words":
        return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
    if style == "short":
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# -- drawing helpers ------------------------------------------------------------------------
def _wrap(text: str, font: ImageFont.FreeTypeFont, first: float, rest: float) -> list[str]:
    """Split `text` into lines: the first at most `first` px wide, the others `rest` px."""
    words = text.split()
    lines: list[str] = []
    cur = ""
    width = first
    for w in words:
        cand = f"{cur} {w}" if cur else w
        if font.getlength(cand) <= width or not cur:
            if not cur and font.getlength(cand) > width and not lines and first < rest:
                lines.append("")  # nothing fits after the label: start on the next line
                width = rest
            cur = cand
        else:
            lines.append(cur)
            cur = w
            width = rest
    lines.append(cur)
    return lines


class Page:
    """One A4 sheet with a text cursor; every coordinate is in 300-DPI pixels."""

    def __init__(self, paper: Image.Image, family: FontFamily, value_family: FontFamily,
                 size: int, rng: random.Random, dotted: bool) -> None:
        self.img = paper
        self.draw = ImageDraw.Draw(self.img)
        self.fam = family
        self.vfam = value_family
        self.size = size
        self.rng = rng
        self.dotted = dotted
        self.left = 230
        self.right = W - 230
        self.y = 200
        self.lh = int(size * 1.7)
        self.ink = INK
        self.value_ink = (15, 15, 45) if rng.random() < 0.5 else INK

    # fonts
    def f(self, kind: str = "regular", scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return _font(getattr(self.fam, kind), int(self.size * scale))

    def vf(self, scale: float = 1.0, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _font(self.vfam.bold if bold else self.vfam.regular, int(self.size * scale))

    def nl(self, k: float = 1.0) -> None:
        self.y += int(self.lh * k)

    def text(self, x: float, y: float, s: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int] | None = None) -> float:
        self.draw.text((x, y), s, font=font, fill=fill or self.ink, anchor="ls")
        return x + font.getlength(s)

    def center(self, s: str, font: ImageFont.FreeTypeFont, cx: float | None = None,
               fill: tuple[int, int, int] | None = None, underline: bool = False) -> None:
        cx = W / 2 if cx is None else cx
        width = font.getlength(s)
        self.text(cx - width / 2, self.y, s, font, fill)
        if underline:
            uy = self.y + int(font.size * 0.2)
            self.draw.line([(cx - width / 2, uy), (cx + width / 2, uy)], fill=fill or self.ink,
                           width=max(2, font.size // 18))

    def dots(self, x0: float, x1: float, y: float) -> None:
        if not self.dotted or x1 - x0 < 8:
            return
        step = max(9, self.size // 5)
        r = max(1, self.size // 24)
        x = x0 + step / 2
        while x < x1:
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=(70, 70, 80))
            x += step

    def field(self, label: str, value: str | None, x0: float | None = None,
              x1: float | None = None, y: float | None = None, bold: bool = False,
              blank_lines: int = 0, value_scale: float = 1.0) -> float:
        """`Label: value` with dotted leaders in [x0, x1]; long values wrap to the next lines
        (starting at x0). Returns the y of the line after the field."""
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        y = self.y if y is None else y
        lf = self.f("bold" if bold else "regular")
        x = self.text(x0, y, label + ":", lf)
        x += self.size * 0.3
        vfont = self.vf(value_scale, bold=False)
        lines = _wrap(value or "", vfont, x1 - x - self.size, x1 - x0 - self.size)
        for i, line in enumerate(lines):
            start = x if i == 0 else x0
            pad = self.size * (self.rng.uniform(0.4, 2.5) if self.dotted and line else 0.1)
            self.dots(start, start + pad if line else x1, y + 4)
            end = self.text(start + pad, y, line, vfont, self.value_ink) if line else start
            if line:
                self.dots(end + self.size * 0.2, x1, y + 4)
            y += self.lh
        for _ in range(blank_lines if self.dotted else 0):
            self.dots(x0, x1, y + 4)
            y += self.lh
        return y

    def row(self, items: list[tuple[str, str | None]], fractions: list[float] | None = None,
            bold: bool = False) -> None:
        """Several labels on one line, each in its own slot."""
        fractions = fractions or [1 / len(items)] * len(items)
        x = self.left
        width = self.right - self.left
        ys = []
        for (label, value), frac in zip(items, fractions, strict=True):
            x1 = x + width * frac
            ys.append(self.field(label, value, x, x1 - self.size * 0.6, bold=bold))
            x = x1
        self.y = max(ys)

    def next_line(self, label: str, value: str | None, bold: bool = False) -> None:
        self.text(self.left, self.y, label + ":", self.f("bold" if bold else "regular"))
        self.nl()
        indent = self.left + self.size * 2
        for line in _wrap(value or "", self.vf(), self.right - indent, self.right - indent):
            self.text(indent, self.y, line, self.vf(), self.value_ink)
            self.nl()

    def wrapped(self, text: str, font: ImageFont.FreeTypeFont, x0: float | None = None,
                x1: float | None = None, indent: float = 0, justify: bool = False) -> None:
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        lines = _wrap(text, font, x1 - x0 - indent, x1 - x0)
        for i, line in enumerate(lines):
            self.text(x0 + (indent if i == 0 else 0), self.y, line, font)
            self.nl()


# -- paper, emblem, seal, signature ---------------------------------------------------------
def security_paper(rng: random.Random, palette: str = "green") -> Image.Image:
    """A pale guilloche sheet: two sine-wave line families, an ornamental border, a rosette."""
    tint, line, orn = PALETTES[palette] if palette in PALETTES else HELD_OUT_PALETTES[palette]
    s = 2  # draw at half resolution, then upscale (fast, and softens the lines)
    w, h = W // s, H // s
    img = Image.new("RGB", (w, h), tint)
    d = ImageDraw.Draw(img)
    xs = np.arange(0, w + 8, 6, dtype=np.float64)
    for fam in range(2):
        spacing = rng.uniform(9, 13)
        lam = rng.uniform(140, 260)
        amp = rng.uniform(12, 26)
        phase_step = rng.uniform(0.15, 0.45) * (1 if fam == 0 else -1)
        k = 0
        y0 = -amp * 2
        while y0 < h + amp * 2:
            ys = y0 + amp * np.sin(2 * np.pi * xs / lam + k * phase_step)
            ys += amp * 0.3 * np.sin(2 * np.pi * xs / (lam * 3.1) + fam)
            d.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=line, width=1)
            y0 += spacing
            k += 1
    # central rosette
    cx, cy = w / 2, h * rng.uniform(0.5, 0.58)
    theta = np.linspace(0, 2 * np.pi, 900)
    petals = rng.choice([12, 16, 18, 24])
    r0 = rng.uniform(0.28, 0.34) * w
    for j in range(28):
        r = r0 * (0.55 + 0.45 * j / 28) + r0 * 0.12 * np.sin(petals * theta + j * 0.35)
        pts = list(zip((cx + r * np.cos(theta)).tolist(), (cy + r * np.sin(theta)).tolist(),
                       strict=True))
        d.line(pts, fill=line, width=1)
    # ornamental border: frame lines and a band of interlaced waves
    m, band = 28, 30
    d.rectangle([m, m, w - m, h - m], outline=orn, width=2)
    d.rectangle([m + band, m + band, w - m - band, h - m - band], outline=orn, width=1)
    t = np.arange(0, 1, 1 / 600)
    for ph in (0.0, np.pi):
        for horizontal in (True, False):
            length = (w if horizontal else h) - 2 * m
            n = length / 18
            wave = band / 2 + (band / 2 - 3) * np.sin(2 * np.pi * n * t + ph)
            along = m + t * length
            for side in (0, 1):
                base = m if side == 0 else (h if horizontal else w) - m - band
                if horizontal:
                    pts = list(zip(along.tolist(), (base + wave).tolist(), strict=True))
                else:
                    pts = list(zip((base + wave).tolist(), along.tolist(), strict=True))
                d.line(pts, fill=orn, width=1)
    # corner rosettes
    for ccx, ccy in ((m + band, m + band), (w - m - band, m + band), (m + band, h - m - band),
                     (w - m - band, h - m - band)):
        for j in range(6):
            r = 22 + 8 * np.sin(8 * theta + j)
            pts = list(zip((ccx + r * np.cos(theta)).tolist(), (ccy + r * np.sin(theta)).tolist(),
                           strict=True))
            d.line(pts, fill=orn, width=1)
    return img.resize(PAGE_SIZE, Image.Resampling.BILINEAR)


def plain_paper(rng: random.Random) -> Image.Image:
    shade = rng.randint(244, 255)
    return Image.new("RGB", PAGE_SIZE, (shade, shade, max(232, shade - rng.randint(0, 8))))


def emblem(page: Page, cx: float, cy: float, r: int = 120) -> None:
    d = page.draw
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(230, 180, 40))
    d.ellipse([cx - r * 0.82, cy - r * 0.82, cx + r * 0.82, cy + r * 0.82], fill=(210, 35, 35))
    star = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r * 0.55 if i % 2 == 0 else r * 0.22
        star.append((cx + rr * math.cos(a), cy - r * 0.1 + rr * math.sin(a)))
    d.polygon(star, fill=(250, 215, 60))
    # a cog wheel at the bottom of the emblem
    d.ellipse([cx - r * 0.35, cy + r * 0.45, cx + r * 0.35, cy + r * 0.95], fill=(230, 180, 40))


def seal(page: Page, cx: float, cy: float, text: str, rng: random.Random, r: int = 210) -> None:
    """A red round seal (ring, text around it, star), blended over what is already printed."""
    size = 2 * r + 20
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size / 2
    d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=9)
    d.ellipse([c - r * 0.68, c - r * 0.68, c + r * 0.68, c + r * 0.68], outline=255, width=5)
    star = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r * 0.3 if i % 2 == 0 else r * 0.12
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(star, fill=255)
    font = _font(FONTS["Liberation Sans"].bold, int(r * 0.2))
    text = text.upper()
    span = math.radians(300)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BILINEAR)
        gx = c + r * 0.84 * math.cos(a) - glyph.width / 2
        gy = c + r * 0.84 * math.sin(a) - glyph.height / 2
        layer.paste(255, (int(gx), int(gy)), glyph)
    alpha = np.asarray(layer, dtype=np.float32) / 255 * rng.uniform(0.55, 0.85)
    box = (int(cx - c), int(cy - c))
    region = np.asarray(page.img.crop((box[0], box[1], box[0] + size, box[1] + size)),
                        dtype=np.float32)
    red = np.array([200, 35, 45], dtype=np.float32)
    mixed = region * (1 - alpha[..., None]) + np.minimum(region, red) * alpha[..., None]
    page.img.paste(Image.fromarray(mixed.astype(np.uint8)), box)


def signature(page: Page, x: float, y: float, rng: random.Random) -> None:
    pts = []
    px, py = x, y
    for _ in range(rng.randint(25, 45)):
        px += rng.uniform(4, 22)
        py += rng.uniform(-30, 30)
        py = min(max(py, y - 70), y + 70)
        pts.append((px, py))
    page.draw.line(pts, fill=(25, 35, 110), width=5, joint="curve")


def signer_block(page: Page, record: RecordData, heading: str, note: str,
                 rng: random.Random, sealed: bool, cx: float | None = None) -> None:
    cx = cx if cx is not None else W * 0.7
    page.nl(0.6)
    for part in heading.split("\n"):
        page.center(part, page.f("bold"), cx)
        page.nl()
    if note:
        page.center(note, page.f("italic", 0.85), cx)
    top = page.y
    page.nl(4.2)
    name = record.context.get("signer_name", "")
    signature(page, cx - 200, top + page.lh * 2, rng)
    if sealed:
        seal(page, cx - 230, top + page.lh * 2, f"Ủy ban nhân dân phường {record.ward_name}",
             rng)
    if name:
        page.center(str(name), page.f("bold"), cx)
        page.nl()


# -- header ---------------------------------------------------------------------------------
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def issuer_lines(record: RecordData, rng: random.Random) -> list[str]:
    name = record.ward_name
    r = rng.random()
    if r < 0.5:
        return ["ỦY BAN NHÂN DÂN", f"PHƯỜNG {name.upper()}"]
    if r < 0.8:
        return [f"UBND PHƯỜNG {name.upper()}"]
    return [f"UBND phường {name}"]


def header(page: Page, record: RecordData, rng: random.Random, centered: bool,
           number: str | None) -> None:
    big = page.f("bold", 0.95)
    if centered:
        page.center(NATIONAL, big)
        page.nl()
        page.center(MOTTO, page.f("bold"), underline=True)
        page.nl(1.1)
        if number is not None:
            x = page.right - page.size * 7
            end = page.text(x, page.y, "Số:", page.f())
            page.dots(end, page.right, page.y + 4)
            page.text(end + page.size * 0.5, page.y, number, page.vf(), page.value_ink)
            page.nl()
        return
    left_cx = page.left + 420
    right_cx = W - page.left - 720
    y0 = page.y
    for i, line in enumerate(issuer_lines(record, rng)):
        page.center(line, page.f("bold" if i else "regular", 0.9), left_cx)
        page.nl()
    y_left = page.y
    page.y = y0
    page.center(NATIONAL, page.f("bold", 0.9), right_cx)
    page.nl()
    page.center(MOTTO, page.f("bold", 0.95), right_cx, underline=True)
    page.nl()
    page.y = max(page.y, y_left)
    if number is not None:
        page.text(left_cx - page.size * 4, page.y, "Số:", page.f())
        page.text(left_cx - page.size * 4 + page.size * 2, page.y, number, page.vf(),
                  page.value_ink)
    page.nl(1.2)


def title(page: Page, text: str, red: bool, scale: float = 1.6) -> None:
    page.nl(0.6)
    page.center(text, page.f("bold", scale), fill=RED if red else INK)
    page.nl(1.6)


# -- the record types -----------------------------------------------------------------------
def _name(value: str | None, upper: bool) -> str | None:
    if value is None:
        return None
    return value.upper() if upper else value


def _d(value: str | None, style: str) -> str | None:
    return fmt_date(date.fromisoformat(value), style) if value else None


def _ward_line(record: RecordData, rng: random.Random) -> str:
    unit = "Ủy ban nhân dân" if rng.random() < 0.6 else "UBND"
    return f"{unit} phường {record.ward_name}, thành phố {record.city}, tỉnh Bình Dương"


def _birth(page: Page, rec: RecordData, layout: str, rng: random.Random, red: bool,
           security: bool) -> None:
    f = rec.fields
    upper = layout in ("dotted", "typewriter_copy") or rng.random() < 0.3
    dstyle = "words" if layout == "colon_inline" else ("short" if rng.random() < 0.1 else "num")
    centered = layout == "dotted" or (security and rng.random() < 0.7)
    if layout == "typewriter_copy":
        page.text(page.right - page.size * 6, page.y, "BẢN SAO", page.f("bold", 1.1))
        page.nl(0.8)
    header(page, rec, rng, centered, f["registration_number"] if centered else None)
    if centered and security:
        emblem(page, W / 2, page.y + 110)
        page.nl(2.4)
    title(page, "GIẤY KHAI SINH", red)
    if not centered:
        page.text(page.left, page.y, "Số:", page.f())
        page.text(page.left + page.size * 2, page.y, f["registration_number"] or "", page.vf(),
                  page.value_ink)
        if rec.context.get("book_number") and layout == "typewriter_copy":
            page.text(W / 2, page.y, f"Quyển số: {rec.context['book_number']}", page.f())
        page.nl(1.3)
    mother: Person = rec.context["mother"]
    father: Person | None = rec.context["father"]
    dob = date.fromisoformat(f["date_of_birth"] or "2000-01-01")
    words = date_in_words(dob)
    if layout == "next_line":
        put = page.next_line
    else:

        def put(label: str, value: str | None, bold: bool = False) -> None:
            page.y = page.field(label, value, bold=bold, blank_lines=1 if len(value or "") > 60
                                else 0)

    put("Họ, chữ đệm, tên", _name(f["full_name"], upper), bold=True)
    if layout == "dotted":
        x_words = page.left + (page.right - page.left) * 0.5
        page.field("Ngày, tháng, năm sinh", _d(f["date_of_birth"], dstyle), page.left,
                   x_words - 20)
        page.y = page.field("ghi bằng chữ", words, x_words, page.right)
    else:
        put("Ngày, tháng, năm sinh", _d(f["date_of_birth"], dstyle))
        if layout != "next_line" and rng.random() < 0.7:
            page.y = page.field("(ghi bằng chữ", words + ")")
    if layout in ("dotted", "colon_inline"):
        page.row([("Giới tính", f["sex"]), ("Dân tộc", f["ethnicity"]),
                  ("Quốc tịch", f["nationality"])], [0.27, 0.33, 0.40])
    else:
        put("Giới tính", f["sex"])
        put("Dân tộc", f["ethnicity"])
        put("Quốc tịch", f["nationality"])
    put("Nơi sinh", f["place_of_birth"])
    if f.get("home_town") is not None or layout == "dotted":
        put("Quê quán", f.get("home_town"))
    put("Số định danh cá nhân", f["personal_id"])
    for who, parent in (("mẹ", mother), ("cha", father)):
        if parent is None:
            if layout == "dotted":
                put(f"Họ, chữ đệm, tên người {who}", None, bold=True)
            continue
        put(f"Họ, chữ đệm, tên người {who}", _name(parent.full_name, upper), bold=True)
        if layout in ("dotted", "colon_inline") or rng.random() < 0.5:
            page.row([("Năm sinh", str(parent.date_of_birth.year)), ("Dân tộc", parent.ethnicity),
                      ("Quốc tịch", parent.nationality)], [0.27, 0.33, 0.40])
        else:
            put("Năm sinh", str(parent.date_of_birth.year))
        put("Nơi cư trú", parent.residence)
    put("Họ, chữ đệm, tên người đi khai sinh", _name(rec.context["declarant"], upper),
        bold=True)
    put("Giấy tờ tùy thân", rec.context["declarant_doc"])
    if layout == "typewriter_copy":
        page.text(page.left, page.y, "Sao từ Sổ đăng ký khai sinh", page.f("italic"))
        page.nl()
    put("Nơi đăng ký khai sinh", _ward_line(rec, rng), bold=layout == "dotted")
    put("Ngày, tháng, năm đăng ký", _d(f["registration_date"], dstyle), bold=layout == "dotted")
    signer_block(page, rec, "NGƯỜI KÝ GIẤY KHAI SINH",
                 "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", rng,
                 sealed=security or rng.random() < 0.5)


DC01_FIELDS: list[tuple[str, str]] = [
    ("full_name", "Họ, chữ đệm và tên khai sinh"),
    ("date_of_birth", "Ngày, tháng, năm sinh"),
    ("sex", "Giới tính"),
    ("personal_id", "Số định danh cá nhân"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("nationality", "Quốc tịch"),
    ("marital_status", "Tình trạng hôn nhân"),
    ("blood_type", "Nhóm máu"),
    ("birth_registration_place", "Nơi đăng ký khai sinh"),
    ("home_town", "Quê quán"),
    ("permanent_address", "Nơi thường trú"),
    ("current_address", "Nơi ở hiện tại"),
    ("occupation", "Nghề nghiệp"),
    ("household_head_name", "Họ, chữ đệm và tên chủ hộ"),
    ("relation_to_head", "Quan hệ với chủ hộ"),
    ("household_head_id", "Số định danh cá nhân của chủ hộ"),
]


def _dc01_header(page: Page, rec: RecordData, rng: random.Random, cont: bool = False) -> None:
    small = page.f("regular", 0.85)
    if not cont:
        page.text(page.right - small.getlength("Mẫu DC01"), page.y, "Mẫu DC01", page.f("bold"))
        page.nl(1.2)
        y0 = page.y
        for line in ("Tỉnh/TP: Bình Dương", f"Huyện/quận/thị xã/TP: {rec.city}",
                     f"Xã/phường/thị trấn: {rec.ward_name}"):
            page.text(page.left, page.y, line, small)
            page.nl(0.9)
        y1 = page.y
        page.y = y0
        page.center(NATIONAL, page.f("bold", 0.9), W - page.left - 700)
        page.nl()
        page.center(MOTTO, page.f("bold", 0.95), W - page.left - 700, underline=True)
        page.y = max(y1, page.y + page.lh)
        title(page, "PHIẾU THU THẬP THÔNG TIN DÂN CƯ", rng.random() < 0.2, 1.25)
    else:
        page.text(page.left, page.y, "Mẫu DC01 (tiếp theo)", page.f("italic"))
        page.nl(1.5)


def _dc01_value(key: str, value: str | None, upper: bool) -> str | None:
    if key == "date_of_birth":
        return _d(value, "num")
    if key in ("full_name", "household_head_name"):
        return _name(value, upper)
    return value


def _resident(pages: list[Page], rec: RecordData, layout: str, rng: random.Random) -> None:
    page = pages[0]
    f = rec.fields
    upper = rng.random() < 0.5
    _dc01_header(page, rec, rng)
    items = [(i + 1, key, label, _dc01_value(key, f.get(key), upper))
             for i, (key, label) in enumerate(DC01_FIELDS)]
    if layout == "table":
        xm = page.left + (page.right - page.left) * 0.42
        font = page.f()
        for n, _key, label, value in items:
            top = page.y - page.lh + page.size * 0.45
            lab = _wrap(f"{n}. {label}", font, xm - page.left - 40, xm - page.left - 40)
            val = _wrap(value or "", page.vf(), page.right - xm - 40, page.right - xm - 40)
            nlines = max(len(lab), len(val))
            for i, line in enumerate(lab):
                page.text(page.left + 20, page.y + i * page.lh, line, font)
            for i, line in enumerate(val):
                page.text(xm + 20, page.y + i * page.lh, line, page.vf(), page.value_ink)
            bottom = top + nlines * page.lh
            page.draw.rectangle([page.left, top, xm, bottom], outline=INK, width=3)
            page.draw.rectangle([xm, top, page.right, bottom], outline=INK, width=3)
            page.y = int(bottom + page.lh - page.size * 0.45)
    else:
        split_at = 10 if layout == "two_pages" else 99
        i = 0
        inline = {("date_of_birth", "sex"), ("marital_status", "blood_type")}
        while i < len(items):
            n, key, label, value = items[i]
            if n == split_at + 1:
                page = pages[1]
                _dc01_header(page, rec, rng, cont=True)
            nxt = items[i + 1] if i + 1 < len(items) else None
            if nxt and (key, nxt[1]) in inline and n != split_at:
                page.row([(f"{n}. {label}", value), (f"{nxt[0]}. {nxt[2]}", nxt[3])],
                         [0.62, 0.38])
                i += 2
                continue
            page.y = page.field(f"{n}. {label}", value)
            i += 1
    page.nl(0.5)
    form_date: date = rec.context["form_date"]
    page.text(W * 0.5, page.y,
              f"{rec.ward_name}, ngày {form_date.day:02d} tháng {form_date.month:02d} năm "
              f"{form_date.year}", page.f("italic"))
    page.nl()
    y0 = page.y
    page.center("NGƯỜI KÊ KHAI", page.f("bold"), W * 0.3)
    page.nl()
    page.center("(Ký, ghi rõ họ tên)", page.f("italic", 0.85), W * 0.3)
    page.y = y0
    signer_block(page, rec, "CÁN BỘ THU THẬP", "(Ký, ghi rõ họ tên)", rng, sealed=False)


def _marriage(page: Page, rec: RecordData, layout: str, rng: random.Random, red: bool,
              security: bool) -> None:
    f = rec.fields
    upper = rng.random() < 0.6
    centered = security or rng.random() < 0.5
    header(page, rec, rng, centered, f["registration_number"] if centered else None)
    if centered and security:
        emblem(page, W / 2, page.y + 110)
        page.nl(2.4)
    title(page, "GIẤY CHỨNG NHẬN KẾT HÔN", red, 1.45)
    if not centered:
        page.text(page.left, page.y, f"Số: {f['registration_number'] or ''}", page.f())
        page.nl(1.3)
    dstyle = "words" if rng.random() < 0.3 else "num"
    rows = [
        ("Họ, chữ đệm, tên", "name", True), ("Ngày, tháng, năm sinh", "date_of_birth", False),
        ("Dân tộc", "ethnicity", False), ("Quốc tịch", "nationality", False),
        ("Nơi cư trú", "residence", False), ("Số định danh cá nhân", "id", False),
    ]  # fmt: skip

    def val(who: str, key: str) -> str | None:
        v = f.get(f"{who}_{key}")
        if key == "name":
            return _name(v, upper)
        if key == "date_of_birth":
            return _d(v, dstyle)
        return v

    order = ["husband", "wife"] if rng.random() < 0.6 else ["wife", "husband"]
    word = {"husband": "chồng", "wife": "vợ"}
    if layout == "columns_label_left":
        xl = page.left + (page.right - page.left) * 0.3
        xm = xl + (page.right - xl) / 2
        for who, x in zip(order, (xl, xm), strict=True):
            page.center(word[who].capitalize(), page.f("bold", 1.1), x + (xm - xl) / 2)
        page.nl(1.3)
        for label, key, bold in rows:
            page.text(page.left, page.y, label + ":" if rng.random() < 0.5 else label,
                      page.f("bold" if bold else "regular"))
            ys = []
            for who, x in zip(order, (xl, xm), strict=True):
                lines = _wrap(val(who, key) or "", page.vf(), xm - xl - 40, xm - xl - 40)
                for i, line in enumerate(lines):
                    page.text(x + 20, page.y + i * page.lh, line, page.vf(), page.value_ink)
                ys.append(page.y + len(lines) * page.lh)
            page.y = max(ys)
    elif layout == "columns_repeated":
        mid = W / 2
        cols = {order[0]: (page.left, mid - 30), order[1]: (mid + 10, page.right)}
        for label, key, bold in rows:
            ys = []
            for who in order:
                x0, x1 = cols[who]
                lab = f"{label} {word[who]}" if key == "name" else label
                if key == "name":
                    page.text(x0, page.y, lab + ":", page.f("bold"))
                    ys.append(_value_line(page, val(who, key), x0, x1, page.y + page.lh))
                else:
                    ys.append(page.field(lab, val(who, key), x0, x1, bold=bold))
            page.y = max(ys)
    else:  # sections
        for who in order:
            head = rng.choice([f"Thông tin người {word[who]}:", word[who].upper(),
                               f"Bên {word[who]}:"])
            page.text(page.left, page.y, head, page.f("bold", 1.05))
            page.nl(1.2)
            for label, key, bold in rows:
                page.y = page.field(label, val(who, key), page.left + page.size, bold=bold)
            page.nl(0.4)
    page.nl(0.5)
    page.y = page.field("Nơi đăng ký kết hôn", _ward_line(rec, rng), bold=True)
    page.y = page.field("Ngày, tháng, năm đăng ký", _d(f["registration_date"], dstyle),
                        bold=True)
    y0 = page.y
    for who, cx in zip(order, (W * 0.3, W * 0.7), strict=True):
        page.y = y0
        page.nl(0.5)
        page.center(word[who].capitalize(), page.f("bold"), cx)
        page.nl()
        page.center("(Ký, ghi rõ họ, chữ đệm, tên)", page.f("italic", 0.8), cx)
    page.y = y0 + page.lh * 4
    signer_block(page, rec, "NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN",
                 "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", rng,
                 sealed=security or rng.random() < 0.5)


def _value_line(page: Page, value: str | None, x0: float, x1: float, y: float) -> float:
    """A value alone on a dotted line under its label (the name line of the current form)."""
    font = page.vf()
    lines = _wrap(value or "", font, x1 - x0 - page.size * 2, x1 - x0 - page.size)
    for i, line in enumerate(lines):
        x = x0 + (page.size * 2 if i == 0 else 0)
        page.dots(x0, x - 10, y + 4)
        end = page.text(x, y, line, font, page.value_ink)
        page.dots(end + 10, x1, y + 4)
        y += page.lh
    return y


# -- entry points ---------------------------------------------------------------------------
def _choose_fonts(rng: random.Random, layout: str, font: str | None) -> tuple[FontFamily,
                                                                                FontFamily]:
    if font in HELD_OUT_FONTS:
        held_out = HELD_OUT_FONTS[font]
        return held_out, HELD_OUT_FONTS[HELD_OUT_MONO if layout == "typewriter_copy" else font]
    label = FONTS[font] if font else FONTS[rng.choice(LABEL_FONTS)]
    if layout == "typewriter_copy" or (font is None and rng.random() < 0.12):
        return label, FONTS[rng.choice(MONO_FONTS)]
    if font is None and rng.random() < 0.2:
        return label, FONTS[rng.choice(LABEL_FONTS)]
    return label, label


def render_record(record: RecordData, rng: random.Random, layout: str | None = None,
                  font: str | None = None, security: bool | None = None,
                  palette: str | None = None) -> Rendered:
    """Render a record of a supported type: one page, or two for DC01 `two_pages`."""
    if record.doc_type is None:
        if record.edge_case == "unrelated_document":
            return render_letter(record, rng)
        return render_blank(rng)
    layout = layout or rng.choice(LAYOUTS[record.doc_type])
    seed = rng.getrandbits(64)
    shrink = 1.0
    for _ in range(4):  # shrink the type until everything fits on the sheet
        rendered, bottom = _render_once(record, random.Random(seed), layout, font, security,
                                        palette, shrink)
        if bottom < H - 150:
            break
        shrink *= 0.9
    return rendered


def _render_once(record: RecordData, rng: random.Random, layout: str, font: str | None,
                 security: bool | None, palette: str | None,
                 shrink: float) -> tuple[Rendered, int]:
    assert record.doc_type is not None
    if layout not in LAYOUTS[record.doc_type]:
        raise ValueError(f"unknown layout {layout!r} for {record.doc_type}")
    security = bool(security) and record.doc_type != "resident_info_form"
    if security and layout not in SECURITY_LAYOUTS:
        layout = "dotted" if record.doc_type == "birth_certificate" else layout
    fam, vfam = _choose_fonts(rng, layout, font)
    if security:
        palette = palette or rng.choice(
            ["green", "green", "blue"] if record.doc_type == "birth_certificate"
            else ["pink", "pink", "blue", "green"])
    size = int(rng.randint(48, 54) * shrink)
    dotted = layout in ("dotted", "numbered_dotted", "columns_repeated") or (
        security and rng.random() < 0.8)

    def new_page() -> Page:
        paper = security_paper(rng, palette) if security and palette else plain_paper(rng)
        p = Page(paper, fam, vfam, size, rng, dotted)
        if security:
            p.left, p.right, p.y = 260, W - 260, 230
        return p

    red = security or rng.random() < 0.35
    if record.doc_type == "birth_certificate":
        pages = [new_page()]
        _birth(pages[0], record, layout, rng, red, security)
    elif record.doc_type == "resident_info_form":
        pages = [new_page(), new_page()] if layout == "two_pages" else [new_page()]
        _resident(pages, record, layout, rng)
    else:
        pages = [new_page()]
        _marriage(pages[0], record, layout, rng, red, security)
    font_name = fam.name if vfam is fam else f"{fam.name} + {vfam.name}"
    bottom = max(p.y for p in pages)
    return Rendered([p.img for p in pages], layout, font_name, security,
                    palette if security else None), bottom


def render_blank(rng: random.Random) -> Rendered:
    """A blank sheet (sometimes with a faint fold line or a punch hole)."""
    img = plain_paper(rng)
    d = ImageDraw.Draw(img)
    if rng.random() < 0.4:
        y = rng.randint(H // 3, 2 * H // 3)
        d.line([(0, y), (W, y + rng.randint(-20, 20))], fill=(235, 235, 232), width=3)
    if rng.random() < 0.3:
        for cy in (H // 2 - 300, H // 2 + 300):
            d.ellipse([60, cy - 45, 150, cy + 45], fill=(200, 200, 200))
    return Rendered([img], "blank", "", False, None)


LETTER_SUBJECTS = [
    "V/v triển khai kế hoạch phòng, chống dịch bệnh mùa mưa năm {y}",
    "V/v tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
    "V/v tăng cường công tác bảo đảm trật tự an toàn giao thông dịp lễ",
    "V/v rà soát, thống kê số liệu hộ nghèo, hộ cận nghèo năm {y}",
]
LETTER_SENTENCES = [
    "Thực hiện chỉ đạo của Ủy ban nhân dân thành phố về việc triển khai nhiệm vụ trọng tâm "
    "trong năm {y}, Ủy ban nhân dân phường đề nghị các đơn vị phối hợp thực hiện một số nội "
    "dung sau đây.",
    "Các khu phố chủ động rà soát, tổng hợp số liệu và báo cáo kết quả về Văn phòng Ủy ban "
    "nhân dân phường trước ngày {d} để tổng hợp, báo cáo cấp trên theo quy định.",
    "Tăng cường công tác tuyên truyền, vận động Nhân dân nâng cao ý thức chấp hành pháp "
    "luật, giữ gìn vệ sinh môi trường và trật tự đô thị trên địa bàn.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời phản ánh về "
    "Ủy ban nhân dân phường để được hướng dẫn, giải quyết.",
    "Giao Công an phường phối hợp với Ban điều hành các khu phố tổ chức kiểm tra, đôn đốc "
    "việc thực hiện và xử lý nghiêm các trường hợp vi phạm.",
    "Đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm, triển khai thực hiện nghiêm túc nội "
    "dung văn bản này./.",
]


def render_letter(record: RecordData, rng: random.Random) -> Rendered:
    """An official letter (công văn) of the ward: not a supported record type."""
    fam = FONTS[rng.choice(["Liberation Serif", "Noto Serif", "DejaVu Serif"])]
    page = Page(plain_paper(rng), fam, fam, rng.randint(48, 54), rng, dotted=False)
    ctx = record.context
    d: date = ctx["letter_date"]
    header(page, record, rng, centered=False, number=str(ctx["letter_number"]))
    page.text(page.left, page.y, LETTER_SUBJECTS[rng.randrange(len(LETTER_SUBJECTS))]
              .format(y=d.year), page.f("regular", 0.9))
    page.text(W * 0.52, page.y,
              f"{record.ward_name}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
              page.f("italic"))
    page.nl(2.2)
    page.center("Kính gửi: Ban điều hành các khu phố", page.f())
    page.nl(1.6)
    sentences = rng.sample(LETTER_SENTENCES, k=rng.randint(4, 6))
    for s in sentences:
        page.wrapped(s.format(y=d.year, d=f"{min(28, d.day + 10):02d}/{d.month:02d}/{d.year}"),
                     page.f(), indent=page.size * 2)
        page.nl(0.3)
    y0 = page.y
    page.nl(0.5)
    page.text(page.left, page.y, "Nơi nhận:", page.f("bold", 0.85))
    page.nl(0.8)
    for line in ("- Như trên;", "- UBND thành phố (b/c);", "- Lưu: VT."):
        page.text(page.left, page.y, line, page.f("regular", 0.8))
        page.nl(0.8)
    page.y = y0
    signer_block(page, record, "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "", rng, sealed=True)
    return Rendered([page.img], "official_letter", fam.name, False, None)


def save_preview(rendered: Rendered, path: Path, scale: float = 0.4) -> None:
    """Write the first page, scaled down, as a PNG (for eyeballing renders)."""
    img = rendered.pages[0]
    img.resize((int(W * scale), int(H * scale)), Image.Resampling.LANCZOS).save(path)


__all__ += ["save_preview", "title_name"]
