"""Page cleaning before OCR: small named stages run in a fixed order.

Each stage is a plain function (image -> image, or image -> measurement) with no
orchestration inside, so each can be tested alone. `clean_page` runs them in the
order OCRmyPDF found to work (rotate -> remove background -> deskew -> clean):

    to_grayscale (security-paper separation)
    -> is_bilevel: a page that is already two-tone (fax, 1-bit TIFF) takes
       remove_speckle + upscale_bilevel instead of the next three stages
    -> find_page_quad + correct_perspective (phone photos only)
    -> normalize_resolution (to ~300 DPI)
    -> flatten_illumination (divide by a background estimate)
    -> is_sideways (projection profiles, ms) and, only for sideways pages,
       Tesseract OSD (90 vs 270) + rotate_quadrant; 0 vs 180 is settled after
       binarizing (upright_verdict), or where the lines cannot tell, by
       ocr.process.process_page from the reading itself
    -> estimate_skew + deskew
    -> shake_ratio + binarize (Sauvola, its cap raised on a page smeared by camera
       shake; a re-threshold for two-tone pages)
    -> restore_hairlines (1-2 px strokes lighter than the threshold; not on guilloche;
       only when a page read poorly is cleaned again)
    -> denoise + remove_dotted_leaders (one labelling: remove_specks_and_leaders)
    -> remove_marks_in_counters (the dot of a dotted zero, specks inside an `o`)
    -> remove_long_rules
    -> upright_verdict (ink above vs below the text lines' cores: 0 vs 180)
    -> keep_ink_shading (phone photos only: the ink keeps its grey edges)

Measurements (quad, orientation, skew) run on downscaled copies: cleaning must
cost a fraction of Tesseract's time on the page.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

TARGET_DPI = 300
A4_MM = (210.0, 297.0)
A4_ASPECT = A4_MM[1] / A4_MM[0]
MM_PER_INCH = 25.4


@dataclass
class CleanedPage:
    image: np.ndarray  # uint8, upright and deskewed, ~300 DPI; binary (0/255), or for a
    # photo, the ink's own grey levels on white paper (`keep_ink_shading`)
    rotation: int  # degrees clockwise applied to make the page upright (0/90/180/270)
    skew_degrees: float  # content was turned this much clockwise (+) before deskew
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    dpi: float = TARGET_DPI
    quad: np.ndarray | None = None  # page corners found in the input, if any
    orientation_sure: bool = True  # False: 0 vs 180 (or 90 vs 270) must be checked by reading
    thresholded: bool = True  # False: a two-tone page (fax), kept as it came, no ink cap used
    upright_sure: bool = False  # the text lines' shape says the page came upright: no 180 check


# --------------------------------------------------------------------------- blank pages


def is_blank_page(image: np.ndarray) -> bool:
    """True when a page carries no ink at all: under 0.05 % of (downscaled) pixels clearly
    darker than the paper. A one-word page is far above that; security paper is paler."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    step = max(1, min(gray.shape[:2]) // 500)
    small = gray[::step, ::step]
    paper = float(np.median(small))
    dark = np.count_nonzero(small < min(paper - 80, 150))
    return dark < 0.0005 * small.size


# --------------------------------------------------------------------------- colour


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Gray page with the pale security-paper pattern turned to white.

    Certificates are printed on guilloche paper (pale green/blue/pink) with typed
    values in black or dark blue and a red title. The ordinary luminance keeps the
    guilloche as mid-gray lines that Tesseract reads as glyphs. The per-pixel MAX
    channel instead makes every pale colour (whatever its hue) close to white,
    while black stays black and dark blue (max = B ~ 100-140) stays dark.
    Saturated red (the title, also seals) has a high max channel, so it would
    vanish: those pixels take their MIN channel instead, which keeps red text
    dark. Pink guilloche is not saturated enough to be caught by that rule.
    """
    if image.ndim == 2:
        return image
    gray = np.empty(image.shape[:2], np.uint8)
    # A band of rows at a time: the channels, their max and min and the red mask of a
    # whole page were nine page-sized arrays at once (78 MB for A4 at 300 DPI, the
    # largest peak of the cleaning), where the band's are a few MB.
    for top in range(0, image.shape[0], GRAY_BAND_ROWS):
        band = image[top:top + GRAY_BAND_ROWS, :, :3]  # a fourth (alpha) channel is ignored
        b, g, r = cv2.split(band)
        mx = cv2.max(cv2.max(b, g), r)  # cv2 is ~10x faster than ndarray.max(axis=2)
        mn = cv2.min(cv2.min(b, g), r)
        # Red pixels take their min channel: a masked copy, no boolean indexing.
        gray[top:top + GRAY_BAND_ROWS] = cv2.copyTo(mn, _red_mask_u8(b, g, r, mn), mx)
    return gray


GRAY_BAND_ROWS = 256


def strong_red_mask(
    image: np.ndarray, mx: np.ndarray | None = None, mn: np.ndarray | None = None
) -> np.ndarray:
    """Pixels of saturated, fairly deep red: printed red titles and seals (not pink).

    Red dominant by > 90 levels and HSV saturation > ~0.6; pink guilloche
    (R 230, G 160, B 175) has saturation ~0.3 and is left to the max channel.
    """
    b, g, r = cv2.split(image)
    if mn is None:
        mn = cv2.min(cv2.min(b, g), r)
    return _red_mask_u8(b, g, r, mn) > 0


def _red_mask_u8(b: np.ndarray, g: np.ndarray, r: np.ndarray, mn: np.ndarray) -> np.ndarray:
    """`strong_red_mask` as 0/255 uint8 from the channels, in OpenCV calls only
    (numpy boolean maths over a colour page cost several times more)."""
    red_lead = cv2.compare(cv2.subtract(r, cv2.max(g, b)), 90, cv2.CMP_GT)  # saturating
    # min < 0.41 * R, i.e. 0.41 * R - min > 0 (int16: no wrap-around)
    saturated = cv2.compare(
        cv2.addWeighted(r, 0.41, mn, -1.0, 0.0, dtype=cv2.CV_16S), 0, cv2.CMP_GT
    )
    return cv2.bitwise_and(red_lead, saturated)


def remove_colour_marks(image: np.ndarray) -> np.ndarray:
    """Alias kept for readers who look for the OCRmyPDF-style name."""
    return to_grayscale(image)


# ------------------------------------------------------------------- resolution


def estimate_dpi(image: np.ndarray) -> float:
    """DPI guess for a page image without metadata: assume it shows a whole A4 sheet.

    Civil records are A4; a phone photo that was not cropped gets corrected to A4
    at 300 DPI by correct_perspective anyway.
    """
    h, w = image.shape[:2]
    return a4_dpi(w, h)


def a4_dpi(width: int, height: int) -> float:
    """The DPI at which a `width` x `height` picture would show a whole A4 sheet."""
    long_px, short_px = max(height, width), min(height, width)
    return float((long_px / (A4_MM[1] / MM_PER_INCH) + short_px / (A4_MM[0] / MM_PER_INCH)) / 2)


def normalize_resolution(
    image: np.ndarray, dpi: float | None = None, target: int = TARGET_DPI,
    upscale: int = cv2.INTER_CUBIC,
) -> tuple[np.ndarray, float]:
    """Resample to ~target DPI; returns (image, dpi after).

    Tesseract's LSTM models read best with capitals ~30 px high (about 10 pt at
    300 DPI); 150-200 DPI scans lose thin diacritics. Within +-15 % of the target
    nothing is done (resampling costs time and sharpness). Upscaling is capped at
    3x: beyond that there is no detail to recover and memory grows 9x.
    """
    src = float(dpi) if dpi else estimate_dpi(image)
    factor = target / src
    if 0.85 <= factor <= 1.15:
        return image, src
    factor = min(factor, 3.0)
    interp = upscale if factor > 1 else cv2.INTER_AREA
    out = cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)
    return out, src * factor


def _downscale(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Copy whose long side is `long_side` (area averaging), and the scale used.

    Halvings first: OpenCV's area resampling by exactly 2 is a fast special
    case (~1 ms on an 8.7 MP page against ~25 ms for an arbitrary factor), and
    the final arbitrary step then works on a quarter of the pixels or fewer.
    """
    h, w = image.shape[:2]
    s = long_side / max(h, w)
    if s >= 1:
        return image, 1.0
    out = image
    while max(out.shape[:2]) >= 2 * long_side:
        out = cv2.resize(out, (out.shape[1] // 2, out.shape[0] // 2), interpolation=cv2.INTER_AREA)
    size = (max(1, int(round(w * s))), max(1, int(round(h * s))))
    if (out.shape[1], out.shape[0]) != size:
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
    return out, s


# ------------------------------------------------------------------ orientation

OSD_LONG_SIDE = 1200  # ~100 DPI for A4: enough for OSD, ~2x faster than 150 DPI
OSD_MIN_CONFIDENCE = 2.0  # Tesseract's orientation confidence; OCRmyPDF's default is similar


def osd(image: np.ndarray) -> tuple[int, float] | None:
    """Tesseract OSD on a ~100 DPI copy: (clockwise rotation that makes the page
    upright, orientation confidence), or None when OSD cannot tell (sparse page)."""
    import pytesseract

    small, s = _downscale(image, OSD_LONG_SIDE)
    dpi = max(70, int(round(TARGET_DPI * s)))
    try:
        out = pytesseract.image_to_osd(small, config=f"--psm 0 --dpi {dpi}", timeout=30)
    except Exception:  # TesseractError on sparse pages, RuntimeError on timeout
        return None
    rot = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rot or not conf:
        return None
    return int(rot.group(1)) % 360, float(conf.group(1))


def detect_orientation(image: np.ndarray, min_confidence: float = OSD_MIN_CONFIDENCE) -> int:
    """Clockwise rotation (0/90/180/270) that makes the page upright, via Tesseract OSD.

    Runs `--psm 0` on a copy downscaled to ~150 DPI A4 (OSD needs only a few
    dozen characters). Sparse or blank pages make OSD fail ("Too few
    characters"): then, or below the confidence threshold, return 0 rather than
    turn a good page sideways.
    """
    found = osd(image)
    if found is None or found[1] < min_confidence:
        return 0
    return found[0]


# Column profile sharper than the row profile: text runs up/down. Measured on
# generated upright pages (all profiles, captures, security paper) the ratio
# cols/rows stays under ~0.75, so a page turned a quarter is over ~1.3.
SIDEWAYS_RATIO = 1.0


def _axis_scores(gray: np.ndarray, long_side: int = 800) -> tuple[float, float, float]:
    """(row score, column score, best row angle) of the ink's projection profiles.

    Text lines make the profile across them spiky; over +-16 deg (a skewed page)
    the best row score of an upright or upside-down page beats the best column
    score, and a page turned a quarter shows the opposite. Ink points of a
    ~800 px copy (at most 40k of them), 2 deg steps: ~20 ms.
    """
    pts = _skew_points(gray, long_side, drop_rules=True)
    if len(pts) < 500:
        return 0.0, 0.0, 0.0
    if len(pts) > 40_000:
        pts = pts[np.random.default_rng(1).choice(len(pts), 40_000, replace=False)]
    angles = np.arange(-16.0, 16.01, 2.0)
    rows = [_profile_score(pts, a) for a in angles]
    cols_pts = pts[:, ::-1].copy()
    cols = [_profile_score(cols_pts, a) for a in angles]
    return max(rows), max(cols), float(angles[int(np.argmax(rows))])


def is_sideways(gray: np.ndarray, ratio: float = SIDEWAYS_RATIO) -> bool:
    """True when the text lines run vertically (page turned 90 or 270 degrees).

    The cheap first orientation test: it separates 90/270 from 0/180 from ink
    projection profiles alone; which of the two is decided by OSD or by reading.
    """
    rows, cols, _ = _axis_scores(gray)
    return rows > 0 and cols > ratio * rows


# Which way is up, from the text lines themselves: in Vietnamese (and any Latin script)
# the ink above a line's core band (ascenders, capitals' tops, tone marks and the marks
# of ă â ê ô ơ ư) far outweighs the ink below it (descenders, the dot of ạ). Measured on
# the 1,330 cleaned pages of eleven stored sets: every upright page with at least
# UPRIGHT_MIN_LINES lines scores 0.21 or more (1st percentile 0.25, median 0.49), so the
# same page turned 180 degrees scores -0.21 or less; the real scans of ../shared score
# 0.15-0.59 upright, and a page whose light text the threshold lost (only specks and
# rules left) -0.11. Under UPRIGHT_SURE_SCORE either way (blur merging the zones, a page
# of digits, a page the cleaning spoiled) the reading decides, as before.
UPRIGHT_MIN_LINES = 10
UPRIGHT_SURE_SCORE = 0.2
_LINE_STRIPS = 4  # narrow enough that a residual skew or two columns keep lines apart


def line_zone_balance(binary: np.ndarray, dpi: float = TARGET_DPI) -> tuple[float, int]:
    """(balance, lines) of a deskewed binary page (ink 0 on 255): balance is
    (ink above the lines' cores - ink below) / (both), +1 upright, -1 upside down.

    Rows are summed in a few vertical strips at half resolution; a line is a run of
    inked rows 0.04-0.4 in high and its core the rows at least half as inked as its
    fullest row (the x-height band, or capitals' height in a title).
    """
    ink = cv2.resize(255 - binary, (binary.shape[1] // 2, binary.shape[0] // 2),
                     interpolation=cv2.INTER_AREA)
    lo, hi = dpi * 0.04 / 2, dpi * 0.4 / 2
    above = below = 0.0
    lines = 0
    width = ink.shape[1]
    for k in range(_LINE_STRIPS):
        profile = ink[:, k * width // _LINE_STRIPS:(k + 1) * width // _LINE_STRIPS].sum(
            axis=1, dtype=np.float64)
        edges = np.diff(np.concatenate(([0], (profile > 0).astype(np.int8), [0])))
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1),
                              strict=True):
            if not lo <= end - start <= hi:
                continue
            band = profile[start:end]
            core = np.flatnonzero(band >= 0.5 * band.max())
            if core[-1] - core[0] < 2:
                continue
            above += float(band[:core[0]].sum())
            below += float(band[core[-1] + 1:].sum())
            lines += 1
    total = above + below
    return ((above - below) / total if total else 0.0), lines


def upright_verdict(binary: np.ndarray, dpi: float = TARGET_DPI) -> bool | None:
    """True: the page is upright; False: upside down; None: its lines cannot tell."""
    balance, lines = line_zone_balance(binary, dpi)
    if lines < UPRIGHT_MIN_LINES or abs(balance) < UPRIGHT_SURE_SCORE:
        return None
    return balance > 0


def rotate_quadrant(image: np.ndarray, degrees_cw: int) -> np.ndarray:
    """Rotate by a multiple of 90 degrees clockwise (lossless)."""
    d = degrees_cw % 360
    if d == 90:
        return cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
    if d == 180:
        return cv2.rotate(image, cv2.ROTATE_180)
    if d == 270:
        return cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return image


# ------------------------------------------------------------------ perspective


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl: the corners of a convex quad (given in order around it, either way)
    turned clockwise and started at the one nearest the frame's top left.

    Picking each corner on its own (the smallest x + y for tl, the smallest y - x for
    tr, ...) can pick one point twice when the quad leans far enough (a scan's
    shading taken for a sheet, heldout seed 21: tl and tr the same point, and every
    later step divided by a zero-length edge); keeping the quad's own order cannot.
    """
    pts = pts.reshape(4, 2).astype(np.float32)
    x, y = pts[:, 0], pts[:, 1]
    if float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) < 0:
        pts = pts[::-1]  # counter-clockwise on screen (y down): turn it round
    return np.roll(pts, -int(np.argmin(pts.sum(axis=1))), axis=0)


# How far outside the frame (a share of its width or height) a corner found by extending
# the sheet's edges may lie. Phone photos of the generated sets reach 5 %; a skewed flatbed
# scan whose sheet runs off the glass gave 20 %, from a stain taken for an edge, and the
# warp sheared the page (its table's lower rows were lost; the deskew alone gets it right).
QUAD_MAX_OUTSIDE = 0.10


def find_page_quad(image: np.ndarray, min_area: float = 0.25) -> np.ndarray | None:
    """Corners (tl, tr, br, bl; float32, input pixels) of a sheet photographed on a desk.

    The sheet is the largest bright blob covering more than `min_area` of the
    frame, and its outline must be a quadrilateral, possibly cut by the frame
    (a corner or a whole edge outside the photo). Each of the sheet's edges is a
    least-squares line through the outline's points along it (points on the
    frame's border left out), and the corners are where neighbouring lines meet,
    outside the frame if the sheet runs off it. Returns None for flatbed scans
    (the "sheet" is the whole frame) and when no clear quadrilateral exists: a
    wrong warp is far worse than none.
    """
    gray = image if image.ndim == 2 else image.max(axis=2)
    small, s = _downscale(gray, 800)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Close text holes so the sheet is one solid blob.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    frame_area = small.shape[0] * small.shape[1]
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    if area < min_area * frame_area or area > 0.97 * frame_area:
        return None
    quad = _quad_from_edges(c, small.shape[:2])
    if quad is None:
        return None
    # The quadrilateral must explain the blob (a torn or folded sheet would not)
    # and stay near the frame (a corner far outside is a guess, not a finding).
    h, w = small.shape[:2]
    if not cv2.isContourConvex(quad):
        return None
    frame = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    visible, _ = cv2.intersectConvexConvex(quad, frame)
    if area < 0.9 * visible or visible < 0.9 * area:
        return None
    m = QUAD_MAX_OUTSIDE
    if (
        quad[:, 0].min() < -m * w
        or quad[:, 0].max() > (1 + m) * w
        or quad[:, 1].min() < -m * h
        or quad[:, 1].max() > (1 + m) * h
    ):
        return None
    quad = _snap_edges(blur, _order_corners(quad))
    if min(_edge_steps(blur, quad), default=QUAD_MIN_EDGE_STEP) < QUAD_MIN_EDGE_STEP:
        return None
    return _refine_corners(gray, quad / s)


# A sheet's edge inside the photo is where paper gives way to desk: the paper just inside
# is far brighter than anything just outside. The bright blob of a scan's uneven light or
# tinted security pattern (fresh seed 4242: a flatbed scan "cropped" along a diagonal
# through its text, the top third lost) has paper on both sides of its made-up edge:
# steps of -2 and 8 there, against 64-195 on every other sheet found in the JPEG, PNG and
# TIFF files of sixteen generated sets (PDFs not measured) and on the real photo in
# tests/data. Two flatbed scans of seed 44 had a quad with steps of
# 12-14 (a sheet on a light lid): refused now, both read as before (a form digitized with
# every field right, a blank page rejected); deskew turns such a sheet straight.
QUAD_MIN_EDGE_STEP = 30.0


def _edge_steps(small: np.ndarray, quad: np.ndarray) -> list[float]:
    """For each edge of `quad` (tl, tr, br, bl; `small`'s pixels) that is not along the
    frame: the median, along the edge, of (the median 3-8 px inside) minus (the 90th
    percentile 3-12 px outside)."""
    img = small.astype(np.float32)
    steps = []
    for i in range(4):
        p, q = quad[i].astype(np.float32), quad[(i + 1) % 4].astype(np.float32)
        length = float(np.hypot(*(q - p)))
        if length < 20 or _along_frame(p, q, small.shape[:2]):
            continue
        d = (q - p) / length
        out = np.array([d[1], -d[0]], np.float32)  # tl->tr->br->bl runs clockwise
        t = np.linspace(0.1, 0.9, 40)[:, None, None]
        k_in, k_out = -np.arange(3, 9, dtype=np.float32), np.arange(3, 13, dtype=np.float32)
        pts_in = (p + t * (q - p) + k_in[None, :, None] * out).astype(np.float32)
        pts_out = (p + t * (q - p) + k_out[None, :, None] * out).astype(np.float32)
        inside, outside = (
            cv2.remap(img, np.ascontiguousarray(pts[..., 0]), np.ascontiguousarray(pts[..., 1]),
                      cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=np.nan)
            for pts in (pts_in, pts_out))
        seen = ~np.isnan(inside).any(axis=1) & ~np.isnan(outside).any(axis=1)
        if seen.sum() < 10:
            continue  # the edge's outside is off the photo: nothing to compare
        step = np.median(inside[seen], axis=1) - np.percentile(outside[seen], 90, axis=1)
        steps.append(float(np.median(step)))
    return steps


def _along_frame(p: np.ndarray, q: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether the edge p-q runs along one side of the frame (within 1 % of its long side):
    the sheet runs off the photo there, and nothing in it shows where that side is."""
    h, w = shape
    tol = 0.01 * max(h, w)
    return any((f(p) < tol) and (f(q) < tol)
               for f in (lambda z: z[0], lambda z: z[1],
                         lambda z: w - 1 - z[0], lambda z: h - 1 - z[1]))


def _on_border(pts: np.ndarray, shape: tuple[int, int], margin: float = 2.5) -> np.ndarray:
    h, w = shape
    x, y = pts[:, 0], pts[:, 1]
    return (x <= margin) | (y <= margin) | (x >= w - 1 - margin) | (y >= h - 1 - margin)


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]):
    (p1, d1), (p2, d2) = l1, l2
    a = np.array([d1, -d2]).T
    if abs(np.linalg.det(a)) < 1e-6:
        return None
    t = np.linalg.solve(a, p2 - p1)
    return p1 + t[0] * d1


def _quad_from_edges(contour: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """Four edge lines of the sheet's outline, intersected (float32 (4, 2), in order
    around the outline), or None when the outline does not show four edges."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    pts = contour.reshape(-1, 2).astype(np.float32)
    free = pts[~_on_border(pts, shape)]  # outline points that are the sheet's own edge
    for eps in (0.01, 0.015, 0.02, 0.03, 0.04):
        poly = cv2.approxPolyDP(hull, eps * peri, True).reshape(-1, 2).astype(np.float32)
        n = len(poly)
        if n < 4:
            break
        edges = []  # (p, q, length, along the frame)
        for i in range(n):
            p, q = poly[i], poly[(i + 1) % n]
            ends = _on_border(np.array([p, q]), shape)
            length = float(np.hypot(*(q - p)))
            # An edge along the frame is where the photo cuts the sheet, not a side.
            cut = bool(ends.all() and (abs(p[0] - q[0]) < 3 or abs(p[1] - q[1]) < 3))
            if length > 0.05 * peri:
                edges.append((p, q, length, cut))
        own = [e for e in edges if not e[3]]
        if len(own) >= 4:
            edges = own
        elif len(edges) >= 4 and len(own) == 3:
            # One side lies outside the photo: the frame's cut stands in for it
            # (the two corners on it are then as far off as the sheet runs out).
            cuts = [e for e in edges if e[3]]
            longest = max(cuts, key=lambda e: e[2])
            edges = [e for e in edges if not e[3] or e is longest]
        else:
            continue
        if len(edges) > 4:
            keep = sorted(np.argsort([-e[2] for e in edges])[:4])
            edges = [edges[i] for i in keep]
        if len(edges) != 4:
            continue
        lines = []
        for p, q, length, cut in edges:
            d = (q - p) / length
            if cut:
                lines.append((p, d))
                continue
            nrm = np.array([-d[1], d[0]], np.float32)
            rel = free - p
            along = rel @ d
            dist = np.abs(rel @ nrm)
            near = (dist < max(3.0, 0.01 * peri / 4)) & (along > 0.05 * length)
            near &= along < 0.95 * length
            sel = free[near]
            if len(sel) < 10:
                lines.append((p, d))  # too few free points: the polygon's own edge
                continue
            vx, vy, x0, y0 = cv2.fitLine(sel, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
            lines.append((np.array([x0, y0], np.float32), np.array([vx, vy], np.float32)))
        corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
        if any(c is None for c in corners):
            return None
        return np.array(corners, dtype=np.float32)
    return None


# How far (a share of the frame's long side) `_snap_edges` looks for a sheet edge the
# brightness mask misplaced, and how much stronger a line must be to replace it.
SNAP_REACH = 0.05
SNAP_GAIN = 1.25


def _snap_edges(small: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quad (tl, tr, br, bl; `small`'s pixels) with each edge moved to the straight
    line near it along which the sheet is most clearly brighter than the desk.

    One global threshold cannot separate a sheet from its desk when a shadow darkens
    the sheet more than the light brightens the desk (a hand's shadow over one corner:
    sheet 130-140, lit desk up to 133), and the mask's edge then cuts through the
    sheet. Every straight line whose ends lie within `SNAP_REACH` of the edge's is
    scored by the mean step from outside to inside across it (4 px wide on each side,
    so a thin printed rule near the edge scores far lower than the sheet's own edge);
    the best replaces the edge only when it beats it by `SNAP_GAIN`. Edges along the
    frame (the sheet runs off the photo there) stay as they are.
    """
    img = small.astype(np.float32)
    h, w = img.shape[:2]
    reach = 2 * max(2, round(SNAP_REACH * max(h, w) / 2))  # even: offset 0 is on the grid
    offs = np.arange(-reach - 5, reach + 6)
    grid = np.arange(-reach, reach + 1, 2)
    t = np.linspace(0.03, 0.97, 80)
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        length = float(np.hypot(*(q - p)))
        d = (q - p) / length
        if _along_frame(p, q, (h, w)) or length < 20:
            lines.append((p, d))
            continue
        out = np.array([d[1], -d[0]], np.float32)  # tl->tr->br->bl runs clockwise
        xy = (p[None, None, :] + t[:, None, None] * (q - p)[None, None, :]
              + offs[None, :, None] * out[None, None, :]).astype(np.float32)
        prof = cv2.remap(img, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=np.nan)
        # How clearly each point's profile shows the sheet ending at each offset: the
        # mean over 4 px inside minus the brightest 4 px anywhere outside, out to the
        # reach (a printed frame just inside the sheet has bright paper beyond it;
        # the sheet's edge has only desk). None where the inside leaves the photo.
        # Off the photo counts as -1e4, so any box touching it is far below zero.
        box = cv2.blur(np.nan_to_num(prof, nan=-1e4), (4, 1), borderType=cv2.BORDER_REPLICATE)
        inside = np.roll(box, 2, axis=1)  # box[k, m] is the mean of m-2 .. m+1
        beyond = np.maximum.accumulate(box[:, ::-1], axis=1)[:, ::-1]
        outside = np.roll(beyond, -3, axis=1)  # the brightest box from j+1 outwards
        whole = (inside > -1) & (outside > -1)
        whole[:, :4] = whole[:, -4:] = False
        steps = np.where(whole, inside - outside, 0).astype(np.float32)
        # Candidate lines: offset a at p's end, b at q's end.
        a, b = np.meshgrid(grid, grid, indexing="ij")
        at = np.rint(a[..., None] + (b - a)[..., None] * t).astype(np.intp) + reach + 5
        k = np.arange(len(t))
        seen = whole[k, at].sum(axis=2)
        score = np.where(seen > 0.3 * len(t), steps[k, at].sum(axis=2) / np.maximum(seen, 1),
                         -np.inf)
        best = np.unravel_index(int(np.argmax(score)), score.shape)
        here = score[reach // 2, reach // 2]  # the edge as it is (offsets 0, 0)
        if score[best] > SNAP_GAIN * max(float(here), 1.0):
            p = p + grid[best[0]] * out
            q = q + grid[best[1]] * out
        lines.append((p, (q - p) / float(np.hypot(*(q - p)))))
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    return np.array(corners, dtype=np.float32)


def _refine_corners(gray: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Sub-pixel corner positions: fit lines to each edge of the full-resolution mask.

    Corners from an 800 px mask are off by up to ~1 px there (several px in the
    original); intersecting least-squares edge lines is cheap and removes it.
    """
    h, w = gray.shape[:2]
    step = max(1, int(max(h, w) / 2000))  # sample every `step` pixels along edges
    out = quad.copy()
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        length = float(np.hypot(*(q - p)))
        if length < 20:
            return quad
        n = np.array([-(q - p)[1], (q - p)[0]]) / length  # edge normal
        pts = []
        band = max(6.0, 0.01 * max(h, w))
        for t in np.linspace(0.1, 0.9, max(10, int(length / (20 * step)))):
            c = p + t * (q - p)
            offs = np.arange(-band, band + 1)
            xy = c[None, :] + offs[:, None] * n[None, :]
            # The part of an edge beyond the photo's frame has no gradient to find.
            if xy[:, 0].min() < 1 or xy[:, 1].min() < 1:
                continue
            if xy[:, 0].max() > w - 2 or xy[:, 1].max() > h - 2:
                continue
            xi = np.clip(xy[:, 0].round().astype(int), 0, w - 1)
            yi = np.clip(xy[:, 1].round().astype(int), 0, h - 1)
            prof = gray[yi, xi].astype(np.float32)
            grad = np.abs(np.diff(prof))
            k = int(np.argmax(grad))
            if grad[k] > 20:
                pts.append(c + (offs[k] + 0.5) * n)
        if len(pts) < 5:
            return quad
        pts_a = np.array(pts, dtype=np.float32)
        vx, vy, x0, y0 = cv2.fitLine(pts_a, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        a = np.array([d1, -d2]).T
        if abs(np.linalg.det(a)) < 1e-6:
            return quad
        t = np.linalg.solve(a, p2 - p1)
        out[i] = p1 + t[0] * d1
    # Refinement must stay near the coarse estimate; otherwise keep the coarse one.
    if np.max(np.hypot(*(out - quad).T)) > 0.02 * max(h, w):
        return quad
    return out.astype(np.float32)


def correct_perspective(
    image: np.ndarray, quad: np.ndarray | None, dpi: int = TARGET_DPI
) -> np.ndarray:
    """Warp the quadrilateral to an upright A4 page at `dpi` (portrait or landscape
    by the quad's own proportions). `quad=None` returns the image unchanged."""
    if quad is None:
        return image
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    short_px = int(round(A4_MM[0] / MM_PER_INCH * dpi))
    long_px = int(round(A4_MM[1] / MM_PER_INCH * dpi))
    out_w, out_h = (short_px, long_px) if height >= width else (long_px, short_px)
    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(
        image, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


# ------------------------------------------------------------------ background


def flatten_illumination(gray: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Divide by an estimate of the paper's brightness to remove shadows and stains.

    The background is a morphological closing (a max filter: text is thinner than
    the kernel, paper is not) then a median blur, computed at 1/4 scale because
    illumination varies slowly. Result: paper ~255 everywhere, ink keeps its
    contrast relative to the paper around it.
    """
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    # ~5 mm at 1/4 scale: wider than any stroke, titles included (a narrower
    # kernel treats bold title strokes as background and hollows them out).
    k = max(3, int(dpi / 4 * 5 / MM_PER_INCH) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, min(2 * k + 1, 255))
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    return out


# ------------------------------------------------------------------ skew


MAX_SKEW = 15.0
SKEW_LONG_SIDE = 1600
SKEW_COARSE_POINTS = 60_000


def _skew_points(
    gray: np.ndarray, long_side: int = SKEW_LONG_SIDE, drop_rules: bool = False
) -> np.ndarray:
    """(x, y) of ink pixels on a downscaled copy, centred."""
    small, _ = _downscale(gray, long_side)
    if small.dtype != np.uint8:
        small = small.astype(np.uint8)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if drop_rules:
        ink = _without_rules(ink)
    # Rows (and columns) that are mostly ink are not text: fax line streaks,
    # scanner lines, a black border. They run along the image axes whatever the
    # content's skew, and one such row outweighs every text line in the profile
    # measure. Both axes alike, so the orientation test stays symmetric.
    full_rows = cv2.reduce(ink, 1, cv2.REDUCE_AVG, dtype=cv2.CV_32F).ravel() > 0.5 * 255
    full_cols = cv2.reduce(ink, 0, cv2.REDUCE_AVG, dtype=cv2.CV_32F).ravel() > 0.5 * 255
    if full_rows.any():
        ink[full_rows] = 0
    if full_cols.any():
        ink[:, full_cols] = 0
    ys, xs = np.nonzero(ink)
    if xs.size > 200_000:  # enough for a sharp profile; bounds the cost
        idx = np.random.default_rng(0).choice(xs.size, 200_000, replace=False)
        xs, ys = xs[idx], ys[idx]
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    pts -= np.array([small.shape[1] / 2, small.shape[0] / 2], dtype=np.float32)
    return pts


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """Ink without the long thin shapes that are not text: a table's grid, rules, frames.

    A table's vertical rules make the column profile as spiky as text lines make the row
    profile (measured: a clean bordered form scored 2.56 columns/rows and was turned a
    quarter; 0.57 without its grid). A shape at least a tenth of the page long that is
    thin (a rule, at any slant) or sparse in its box (a grid) goes; letters, and words
    or lines merged by blur, are small or solid and stay.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    bw, bh, area = stats[:, 2], stats[:, 3], stats[:, 4]
    longest, shortest = np.maximum(bw, bh), np.minimum(bw, bh)
    rule = (longest >= 0.1 * max(ink.shape)) & ((shortest <= 4) | (area < 0.2 * bw * bh))
    rule[0] = False  # the background
    if not rule.any():
        return ink
    out = ink.copy()
    out[rule[labels]] = 0
    return out


def _profile_score(pts: np.ndarray, angle: float) -> float:
    a = np.deg2rad(angle)
    y = pts[:, 1] * np.cos(a) - pts[:, 0] * np.sin(a)
    y = np.round(y - y.min()).astype(np.int64)
    hist = np.bincount(y).astype(np.float64)
    # Sharp text lines give a spiky profile: sum of squared differences between
    # neighbouring rows peaks at the right angle (Postl / Bloomberg measure).
    return float(np.sum(np.diff(hist) ** 2))


def estimate_skew(gray: np.ndarray, max_angle: float = MAX_SKEW) -> float:
    """Angle (degrees) the content is turned clockwise (text lines slope down to the
    right for positive values); 0.0 for pages with too little ink.

    Projection-profile search, coarse to fine (2, 0.5, 0.05 deg), on the coordinates of
    ink pixels of a downscaled copy: rotating points and counting them is much cheaper
    than rotating images. No finer step: on the 1600 px copy 0.01 deg moves a line's end
    by 0.14 px, below the profile's one-row bins (a 0.01 deg pass cost 20 ms a page for a
    residual already under 0.05 deg, against a target of 0.2).
    """
    pts = _skew_points(gray)
    if len(pts) < 500:
        return 0.0
    # The coarse sweep (61 angles) only has to land within 0.5 deg: a random
    # sample of the points keeps the profile's peaks and costs a fraction.
    coarse = pts
    if len(pts) > SKEW_COARSE_POINTS:
        pick = np.random.default_rng(2).choice(len(pts), SKEW_COARSE_POINTS, replace=False)
        coarse = pts[pick]
    best = 0.0
    # 2 deg steps land within 1 deg of the peak (a text line's profile stays sharp that
    # far), 0.5 deg steps within 0.25, then 0.05 on all the points: 36 angles scored
    # instead of 86 (61 at 0.5 deg, then 25 at 0.05), the same angles found.
    for span, step, p in ((max_angle, 2.0, coarse), (1.5, 0.5, coarse), (0.3, 0.05, pts)):
        angles = np.arange(best - span, best + span + step / 2, step)
        scores = [_profile_score(p, a) for a in angles]
        best = float(angles[int(np.argmax(scores))])
    return round(best, 2)


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """Turn the content `angle` degrees counter-clockwise (undoing a clockwise skew),
    filling the uncovered corners with white paper, not black."""
    if abs(angle) < 0.05:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # OpenCV: + = counter-clockwise
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(
        image,
        m,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


# ------------------------------------------------------------------ binarize


INK_MAX = 165  # on the flattened page; see binarize
INK_SURE = 100


INK_CAP_SHARE = 0.6  # the cap sits this far from the ink level towards the paper (255)
INK_CAP_MAX = 215


def ink_level(gray: np.ndarray) -> float:
    """Gray level of the page's ink cores on a flattened page (paper ~255).

    The 0.5th percentile of a strided sample (no averaging: strokes stay sharp):
    text covers several % of a page, so this lands inside strokes. ~20-40 for
    fresh ink, 90-150 for faded ink.
    """
    return float(np.percentile(gray[::3, ::3], 0.5))


# Camera shake (`shake_ratio`): from SHAKE_START down to SHAKE_START - SHAKE_SPAN the cap
# moves from INK_CAP_SHARE to SHAKEN_CAP_SHARE of the way to the paper.
SHAKE_START = 0.55
SHAKE_SPAN = 0.15
SHAKEN_CAP_SHARE = 0.72
_SHAKE_BAND = 16  # rows per sampled band; one band in _SHAKE_EVERY
_SHAKE_EVERY = 4


def _percentile_u8(values: np.ndarray, q: float) -> float:
    hist = cv2.calcHist([values], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    return float(np.searchsorted(cum, cum[-1] * q / 100))


def _steps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| of two stacks of bands, as one 2-D image (OpenCV takes a 3-D array's last
    axis for channels, and 5.1 refuses more than 512 of them)."""
    return cv2.absdiff(np.ascontiguousarray(a).reshape(-1, a.shape[-1]),
                       np.ascontiguousarray(b).reshape(-1, b.shape[-1]))


def shake_ratio(gray: np.ndarray) -> float:
    """How sharp the page's edges are in their blurriest direction against their sharpest
    (0-1): the strongest ink-to-paper steps across two pixels, measured along the rows, the
    columns and both diagonals (99.5th percentile of each).

    A sharp or evenly blurred page is about 0.7 or more (a crisp edge saturates the
    diagonal steps, hence 1/sqrt(2)); a photo taken with a shaking hand is smeared one way
    only, and its edges across that way stay sharp: 9 px of shake along the lines gives
    0.22-0.51, 7 px diagonally 0.49-0.57. Every page of the OCR bench (scans, photos, heavy
    degradation) measured 0.707 or more, the 245 pages of two record sets 0.63 or more (a
    page with little text is the least sure). Sampled on one band of rows in four, full
    resolution (a subsample would hide the blur it measures).
    """
    h, w = gray.shape[:2]
    period = _SHAKE_BAND * _SHAKE_EVERY
    n = h // period
    if n == 0 or w < 3:
        return 1.0
    bands = gray[: n * period].reshape(n, _SHAKE_EVERY, _SHAKE_BAND, w)[:, 0]
    steps = [
        _steps(bands[:, :, 2:], bands[:, :, :-2]),
        _steps(bands[:, 2:, :], bands[:, :-2, :]),
        _steps(bands[:, 2:, 2:], bands[:, :-2, :-2]),
        _steps(bands[:, 2:, :-2], bands[:, :-2, 2:]),
    ]
    sharp = [_percentile_u8(s, 99.5) for s in steps]
    sharp[2] /= np.sqrt(2)  # a diagonal step spans sqrt(2) times the distance
    sharp[3] /= np.sqrt(2)
    return float(min(sharp) / max(max(sharp), 1.0))


def ink_cap(gray: np.ndarray, shake: float = 1.0, share: float | None = None) -> int:
    """Global guard of `binarize`: pixels lighter than this are never ink.

    It follows the page's own ink: INK_CAP_SHARE of the way from the ink level to
    the paper, never under INK_MAX (fresh ink: ~165) nor over INK_CAP_MAX. A fixed
    cap dropped faded ink (lighter than the cap) whole.

    On a page smeared by camera shake (`shake` = shake_ratio under SHAKE_START), the thin
    strokes across the smear keep a third of their contrast and fell under the cap while
    the thick ones stayed black (`V` without its left stroke): the cap moves up to
    SHAKEN_CAP_SHARE. `make bench-robust`, 14 clean scans shaken 9 px: CER 0.019 -> 0.008
    (Tesseract alone on them: 0.014); 7 px diagonally 0.078 -> 0.064; 5 px 0.0056 -> 0.0053. Not
    for every page: the higher cap lets pale show-through and guilloche in (0.008 -> 0.012
    on the same pages with show-through).
    """
    lvl = ink_level(gray)
    if share is None:
        toward_shaken = float(np.clip((SHAKE_START - shake) / SHAKE_SPAN, 0.0, 1.0))
        share = INK_CAP_SHARE + (SHAKEN_CAP_SHARE - INK_CAP_SHARE) * toward_shaken
    return int(np.clip(lvl + share * (255 - lvl), INK_MAX, INK_CAP_MAX))


def binarize(
    gray: np.ndarray, dpi: float = TARGET_DPI, k: float = 0.2, cap: int | None = None
) -> np.ndarray:
    """Sauvola threshold (ink 0, paper 255).

    Local mean and deviation come from box filters (cost independent of window
    size). Sauvola's threshold drops below the local mean where contrast is low,
    so residual guilloche (light, low variance) goes to white while faded ink,
    darker than its surroundings, stays black.
    """
    # Mean and deviation are computed at 1/4 scale and the threshold surface is
    # upsampled: it varies over the window size (~3.5 mm), so nothing is lost,
    # and the cost drops ~10x on a 300 DPI page.
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    small = small.astype(np.float32)
    win = max(3, int(dpi / 300 * 41 / 4) | 1)  # ~3.5 mm: a few characters wide
    mean = cv2.boxFilter(small, -1, (win, win), borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(small * small, -1, (win, win), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    thresh = mean * (1 + k * (std / 128.0 - 1))
    # Two global guards on the flattened page (paper = 255):
    # - ink must be clearly darker than paper (`ink_cap`: < ~65 % of paper for
    #   fresh ink, higher for faded ink): the guilloche left by to_grayscale sits
    #   at 170-230 and has enough local variance to fool Sauvola alone;
    # - very dark pixels are always ink: inside thick strokes (the title) the
    #   local deviation is ~0 and Sauvola would hollow the glyphs out.
    cap = ink_cap(gray) if cap is None else cap
    thresh = np.clip(np.minimum(thresh, cap - 1), 0, 255).astype(np.uint8)
    thresh = cv2.resize(thresh, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    thresh = np.maximum(thresh, np.uint8(INK_SURE - 1))
    # uint8 compare on the full page: far cheaper than float maths at 8.7 MP.
    return cv2.compare(gray, thresh, cv2.CMP_GT)


# A hairline pixel is HAIRLINE_DEPTH grey levels darker than the lightest pixel of the
# square HAIRLINE_REACH_MM wide around it, and darker than HAIRLINE_MAX_GRAY: a line one or
# two pixels wide with paper on both sides. None is kept where over HAIRLINE_MAX_FAR of them
# lie outside the squares HAIRLINE_NEAR_MM wide around the thresholded ink: that is a
# background of fine lines (security paper's guilloche), not letters. Nor where over
# HAIRLINE_TWO_TONE_SHARE of the ink is pure black (see restore_hairlines).
HAIRLINE_DEPTH = 40
HAIRLINE_MAX_GRAY = 225
HAIRLINE_REACH_MM = 0.4
HAIRLINE_NEAR_MM = 0.6
HAIRLINE_MAX_FAR = 0.10
HAIRLINE_TWO_TONE_SHARE = 0.25


def _square_mm(mm: float, dpi: float) -> np.ndarray:
    """A square kernel about `mm` wide at `dpi`: an odd side (it has a centre), 3 px or more."""
    side = max(3, int(round(mm / MM_PER_INCH * dpi)) | 1)
    return np.ones((side, side), np.uint8)


def restore_hairlines(
    binary: np.ndarray, gray: np.ndarray, dpi: float = TARGET_DPI
) -> np.ndarray:
    """Give back to `binary` the 1-2 px strokes its threshold dropped.

    A high-contrast face (a display serif, a Didone) draws the `/` of a date, the bar of
    `H`, the left leg of `A` and the diagonal of `N` as hairlines; scanned at 200 DPI and
    resampled they are grey (~185-200 on white paper), lighter than the ink cap, and next
    to the thick stems Sauvola's local mean sits under them: `27/07/1969` became
    `2707/1969`, `NAM` `N.VM`. Here a pixel becomes ink where it is a dark line narrower
    than ~0.4 mm (black-hat), clearly darker than the paper beside it, whatever the stems
    nearby do. The grey rims of the strokes stay as thresholded (thickening every letter
    put wrong tone marks into records counted as digitized).
    Two kinds of page are left as they are: guilloche (what stands out of the paper lies
    away from the letters), and a two-tone page resampled into a PDF (a fax: pure black
    cores; its specks and stair-steps are as thin as a hairline, and a fax's records lost
    up to 11 of 17 fields).
    """
    ink = cv2.compare(binary, 128, cv2.CMP_LT)
    inked = cv2.countNonZero(ink)
    if not inked or cv2.countNonZero(
            cv2.compare(gray, 3, cv2.CMP_LE) & ink) > HAIRLINE_TWO_TONE_SHARE * inked:
        # ink cores pure black: a two-tone page (a fax) resampled into a PDF; its greys are
        # the resampling's, its thin dark bits specks and stair-steps, never a hairline
        return binary
    square = _square_mm(HAIRLINE_REACH_MM, dpi)
    paper = cv2.dilate(gray, square)
    # What stands out of the paper beside it and is not ink yet: hairlines, and the grey
    # rims of the strokes, which hug the letters (the gate counts them with the letters)
    darker = (cv2.compare(cv2.subtract(paper, gray), HAIRLINE_DEPTH, cv2.CMP_GE)
              & cv2.compare(gray, HAIRLINE_MAX_GRAY, cv2.CMP_LT) & ~ink)
    found = cv2.countNonZero(darker)
    if not found:
        return binary
    near_ink = cv2.dilate(ink, _square_mm(HAIRLINE_NEAR_MM, dpi))
    if cv2.countNonZero(darker & ~near_ink) > HAIRLINE_MAX_FAR * found:
        return binary
    # Only lines narrower than the square become ink (black-hat: the closing fills them
    # in); a rim is an edge, which the closing keeps, so the strokes do not thicken.
    ridge = cv2.subtract(cv2.erode(paper, square), gray)
    thin = cv2.compare(ridge, HAIRLINE_DEPTH, cv2.CMP_GE) & darker
    out = binary.copy()
    out[thin > 0] = 0
    return out


def _ink_components(binary: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(outlines, stats, centres) of the ink's 8-connected components; one pass
    serves both `denoise` and the dotted-leader search (`remove_specks_and_leaders`).

    Component i (from 1; row 0 stands for the paper, as in OpenCV's labelling)
    has outline i - 1, stats (x, y, w, h, area) and the centre of its box.
    Outer contours (border following) cost a fraction of a labelling with
    statistics (~10 ms against ~100 ms on an 8.7 MP page). The area is the ink
    inside the box (from an integral image): exact for a speck, which is the
    only place where it is used.
    """
    ink = cv2.threshold(binary, 127, 1, cv2.THRESH_BINARY_INV)[1]
    contours, hier = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    h_img, w_img = binary.shape[:2]
    if not contours:
        return [], np.array([[0, 0, w_img, h_img, 0]], np.int64), np.zeros((1, 2))
    # RETR_CCOMP: outer outlines on the top level (also those inside holes),
    # hole outlines below them.
    outer = [c for c, link in zip(contours, hier[0], strict=True) if link[3] < 0]
    rects = np.array([cv2.boundingRect(c) for c in outer], np.int64).reshape(-1, 4)
    x, y, w, h = rects.T
    integral = cv2.integral(ink)
    area = integral[y + h, x + w] - integral[y, x + w] - integral[y + h, x] + integral[y, x]
    stats = np.vstack([[0, 0, w_img, h_img, 0], np.column_stack([rects, area])])
    cents = np.vstack([[0.0, 0.0], np.column_stack([x + (w - 1) / 2, y + (h - 1) / 2])])
    return outer, stats, cents


def _speck_labels(stats: np.ndarray, dpi: float) -> np.ndarray:
    """Per component: True for ink specks smaller than ~0.15 mm (see `denoise`)."""
    min_area = max(2, int(round(4 * (dpi / 300) ** 2)))
    small = stats[:, cv2.CC_STAT_AREA] < min_area
    small[0] = False
    return small


def _paint(image: np.ndarray, outlines: list[np.ndarray], pick: np.ndarray, value: int) -> None:
    """Fill the outlines of the components flagged in `pick` with `value`, in place."""
    ids = np.nonzero(pick)[0]
    if ids.size:
        cv2.drawContours(image, [outlines[i - 1] for i in ids], -1, value, thickness=cv2.FILLED)


def _whiten(binary: np.ndarray, outlines: list[np.ndarray], remove: np.ndarray) -> np.ndarray:
    """Copy of `binary` with the components flagged in `remove` made paper."""
    out = binary.copy()
    _paint(out, outlines, remove, 255)
    return out


def denoise(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Drop ink specks smaller than ~0.15 mm (scanner dust, JPEG ringing).

    A Vietnamese dot-below or the dot of an i is ~0.3 mm (~4x4 px at 300 DPI),
    so the limit stays well under it.
    """
    outlines, stats, _ = _ink_components(binary)
    return _whiten(binary, outlines, _speck_labels(stats, dpi))


def remove_speckle(binary: np.ndarray) -> np.ndarray:
    """Fax speckle, conservatively: flip isolated pixels only.

    A black pixel whose 8 neighbours are all white, or a white pixel whose 8
    neighbours are all black (a pin hole in a stroke), carries no shape at any
    resolution a page is faxed at (a diacritic dot is several pixels); anything
    larger is left to `denoise`, after resampling.
    """
    ink = (binary == 0).astype(np.uint8)
    count = cv2.boxFilter(ink, -1, (3, 3), normalize=False, borderType=cv2.BORDER_REPLICATE)
    out = binary.copy()
    out[(ink == 1) & (count == 1)] = 255
    out[(ink == 0) & (count == 8)] = 0
    return out


# ------------------------------------------------------------------ leaders and rules


# A leader's stub left where a typed value nearly fills its line (`ngày 11 ....`, `thành
# phố Tân ...`) is only three to five dots, and Tesseract reads it glued to the value
# (`Tân.,.`). Such a short run counts only when its dots are closer than letters ever are
# (a pitch under SHORT_LEADER_PITCH text heights): dots below or on letters are a letter's
# width or more apart, so a line of them is never taken.
SHORT_LEADER_DOTS = 3
SHORT_LEADER_PITCH = 0.75


def _text_height(stats: np.ndarray) -> float:
    """Median height of letter-sized components: the page's text size in px."""
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 8) & (h <= 120) & (w <= 3 * h)
    return float(np.median(h[keep])) if keep.any() else 30.0


def _leader_labels(
    stats: np.ndarray, cents: np.ndarray, min_run: int = 6, exclude: np.ndarray | None = None
) -> np.ndarray:
    """Per label: True for the dots of dotted leaders (see `find_dotted_leaders`).
    `exclude` (per label) are not candidates (specks `denoise` drops anyway)."""
    n = stats.shape[0]
    th = _text_height(stats)
    w = stats[:, cv2.CC_STAT_WIDTH]
    h = stats[:, cv2.CC_STAT_HEIGHT]
    dot_max = max(3.0, 0.35 * th)
    cand = (w <= dot_max) & (h <= dot_max) & (w >= 1) & (h >= 1)
    cand &= (w <= 2.5 * h) & (h <= 2.5 * w)
    cand[0] = False
    if exclude is not None:
        cand &= ~exclude
    idx = np.nonzero(cand)[0]
    remove = np.zeros(n, dtype=bool)
    if idx.size < min(min_run, SHORT_LEADER_DOTS):
        return remove
    cy = cents[idx, 1]
    cx = cents[idx, 0]
    order = np.argsort(cy)
    idx, cy, cx = idx[order], cy[order], cx[order]
    tol = max(2.0, 0.12 * th)
    # Sweep rows: group dots whose centre y is within tol of the group's first dot.
    start = 0
    while start < idx.size:
        end = int(np.searchsorted(cy, cy[start] + tol, side="right")) - 1
        if end - start + 1 >= min(min_run, SHORT_LEADER_DOTS):
            g = np.arange(start, end + 1)
            g = g[np.argsort(cx[g], kind="stable")]
            gaps = np.diff(cx[g]).tolist()  # plain floats: this loop is per dot
            # Split into runs wherever the gap is far from the local pitch or too big.
            run = [0]
            run_gaps: list[float] = []  # the gaps inside the run (its members are consecutive)
            for j in range(1, len(g)):
                gap = gaps[j - 1]
                ok = 1.0 <= gap <= 1.2 * th
                if ok and run_gaps:
                    pitch = statistics.median(run_gaps)
                    ok = abs(gap - pitch) <= max(2.0, 0.35 * pitch)
                if ok:
                    run.append(j)
                    run_gaps.append(gap)
                else:
                    if _is_leader_run(len(run), run_gaps, min_run, th):
                        remove[idx[g[run]]] = True
                    run = [j]
                    run_gaps = []
            if _is_leader_run(len(run), run_gaps, min_run, th):
                remove[idx[g[run]]] = True
        start = end + 1
    return remove


def _is_leader_run(n: int, gaps: list[float], min_run: int, text_height: float) -> bool:
    if n >= min_run:
        return True
    return n >= SHORT_LEADER_DOTS and statistics.median(gaps) <= SHORT_LEADER_PITCH * text_height


def find_dotted_leaders(binary: np.ndarray, min_run: int = 6) -> np.ndarray:
    """Component labels mask of dotted-leader dots.

    A dot is a small, roughly square component (at most ~1/3 of the text height).
    Dots are grouped by row (centres within a few px vertically); a leader is a run
    of >= `min_run` dots along one baseline whose spacings are nearly equal.
    Vietnamese diacritics (dot below, dot of i) are single or a few at
    letter-width, irregular spacing, so they never form such a run.
    """
    outlines, stats, cents = _ink_components(binary)
    mask = np.zeros(binary.shape[:2], np.uint8)
    _paint(mask, outlines, _leader_labels(stats, cents, min_run), 1)
    return (mask > 0) & (binary == 0)


def remove_dotted_leaders(binary: np.ndarray, min_run: int = 6) -> np.ndarray:
    """Whiten dotted leaders (`Họ, chữ đệm, tên: ........ NGUYỄN VĂN AN`).

    Tesseract reads leaders as strings of dots, commas and 'i's glued to the
    label and the value; removing them gives clean `label: value` lines.
    """
    outlines, stats, cents = _ink_components(binary)
    return _whiten(binary, outlines, _leader_labels(stats, cents, min_run))


def remove_specks_and_leaders(
    binary: np.ndarray, dpi: float = TARGET_DPI, min_run: int = 6
) -> np.ndarray:
    """`denoise` then `remove_dotted_leaders` in ONE connected-components pass (the
    labelling of an 8.7 MP page is most of the cost of each). Same result as the
    two in turn: specks are removed and are not leader-dot candidates."""
    outlines, stats, cents = _ink_components(binary)
    small = _speck_labels(stats, dpi)
    remove = small | _leader_labels(stats, cents, min_run, exclude=small)
    return _whiten(binary, outlines, remove)


# A character's counter (the hole of `0`, `o`, `a`, `8`) is at most this tall or wide at
# 300 DPI; a table cell or a box holding words is far larger.
COUNTER_MAX_PX = 80
COUNTER_MARK_SHARE = 0.6  # a mark inside spans at most this share of the counter's box


def remove_marks_in_counters(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Whiten ink lying free inside a character's counter: the dot of a dotted zero
    (typewriter and monospace fonts: Tesseract reads it as `9`, `6` or `8`, in IDs and
    dates), dust inside an `o`. No Vietnamese letter has a mark inside a counter (its
    diacritics sit above, below or attached), so nothing a word needs is lost."""
    ink = cv2.threshold(binary, 127, 255, cv2.THRESH_BINARY_INV)[1]
    contours, hier = cv2.findContours(ink, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return binary
    parent = hier[0][:, 3]
    depth = np.full(len(contours), -1, dtype=np.int32)  # 0: outer ink, 1: a hole, 2: ...
    for i in range(len(contours)):
        chain, j = [], i
        while j >= 0 and depth[j] < 0:
            chain.append(j)
            j = parent[j]
        level = -1 if j < 0 else int(depth[j])
        for k in reversed(chain):
            level += 1
            depth[k] = level
    limit = COUNTER_MAX_PX * float(dpi) / TARGET_DPI
    marks = []
    for i in np.flatnonzero((parent >= 0) & (depth % 2 == 0)):  # ink inside a hole
        _, _, hole_w, hole_h = cv2.boundingRect(contours[parent[i]])
        if hole_w > limit or hole_h > limit:
            continue
        _, _, w, h = cv2.boundingRect(contours[i])
        if w <= COUNTER_MARK_SHARE * hole_w and h <= COUNTER_MARK_SHARE * hole_h:
            marks.append(contours[i])
    if not marks:
        return binary
    out = binary.copy()
    cv2.drawContours(out, marks, -1, 255, thickness=cv2.FILLED)
    return out


RULE_X_STEP = 4  # rules are searched on a copy this many times narrower


def remove_long_rules(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Whiten thin rules much longer than a word, across and down the page (underlines,
    form lines, a table's grid).

    An opening with a long flat kernel keeps only strokes >= ~2.5 cm along one axis;
    strokes thicker than ~1 mm (bars, dark blocks) are not rules and are kept. Text
    touching a rule loses only the rule's pixels.

    A bordered table's vertical rules matter as much as its horizontal ones: once the
    horizontal rules are gone they stand as a row-high bar before every cell, which
    Tesseract reads as `|` glued to the value and takes for a tall letter, so it reads
    the whole column in the wrong case and size (`|z2⁄o4⁄2o0oo` for `22/04/2000`,
    `o7420oa6a287` for an ID number). Both kinds are found on the same page (each is
    still whole there: removing one first would cut the other into short pieces).
    """
    ink = cv2.bitwise_not(binary)
    out = binary.copy()
    _whiten_rules(ink, out, dpi, down=False)
    _whiten_rules(ink, out, dpi, down=True)
    return out


def _whiten_rules(ink: np.ndarray, out: np.ndarray, dpi: float, *, down: bool) -> None:
    """Whiten in `out` the rules of `ink` along one axis (`down`: vertical ones).

    The search runs on a copy squeezed RULE_X_STEP times along the rules (a rule stays
    solid when squeezed along its length, so the opening costs ~16x less: 4x fewer
    pixels, 4x shorter kernel). Only ink under the found rules is whitened, at full
    resolution."""
    def shape(along: int, across: int) -> tuple[int, int]:  # a cv2 (width, height) size
        return (across, along) if down else (along, across)

    def ones(along: int, across: int) -> np.ndarray:  # a numpy (rows, cols) kernel
        return np.ones((along, across) if down else (across, along), np.uint8)

    h, w = ink.shape[:2]
    length_px = h if down else w
    step = RULE_X_STEP if length_px >= 64 * RULE_X_STEP else 1
    narrow = ink
    if step > 1:
        narrow = cv2.resize(ink, (w, h // step) if down else (w // step, h),
                            interpolation=cv2.INTER_AREA)
    # A thin rule that was rotated (deskewed) steps from row to row; looking at three
    # rows (columns, for a vertical rule) at once keeps it one run instead of dashes.
    narrow = cv2.dilate(narrow, ones(1, 3))
    if step > 1:
        # A pixel of the narrow copy is ink where most of its source pixels are.
        narrow = cv2.threshold(narrow, 127, 255, cv2.THRESH_BINARY)[1]
    length = max(3, int(dpi / MM_PER_INCH * 25 / step))
    rules = cv2.morphologyEx(
        narrow, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape(length, 1))
    )
    if not rules.any():
        return
    thick = int(dpi / MM_PER_INCH * 1.0)
    too_thick = cv2.morphologyEx(
        rules, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape(1, thick))
    )
    rules = cv2.subtract(rules, too_thick)
    # Back to the rule's own rows (the three-row look widened it by one each side):
    # ink of letters just above or below a rule is not the rule's.
    rules = cv2.erode(rules, ones(1, 3))
    # (rows, or columns, found on the narrow copy: the same ones, a quarter of the pixels)
    rule_lines = np.flatnonzero(rules.any(axis=0 if down else 1))
    if step > 1:
        # Widen by one narrow pixel at each end (the squeeze rounds the ends inwards),
        # back to full size, and keep only ink pixels of the rules.
        rules = cv2.dilate(rules, ones(3, 1))
        rules = cv2.resize(rules, (w, h), interpolation=cv2.INTER_NEAREST)
        rules = cv2.bitwise_and(rules, ink)
    cv2.bitwise_or(out, rules, dst=out)  # rule pixels (255 in `rules`) go white
    # The rule's ragged edge: rows of the rule that the opening did not take whole
    # (a 3-4 px rule is uneven after thresholding) stay behind as 1-2 px slivers
    # along it. Tesseract takes such a dashed line for part of the text line beside it
    # and reads the line squeezed (`Tìnhtrạnghônnhn` for `Tình trạng hôn nhân`), so ink
    # thinner than 3 pixels within 2 of a removed rule goes too.
    # Only the bands around rules are looked at (a few percent of the page).
    if not rule_lines.size:
        return
    breaks = np.flatnonzero(np.diff(rule_lines) > 1)
    for first, last in zip(
        rule_lines[np.r_[0, breaks + 1]], rule_lines[np.r_[breaks, rule_lines.size - 1]],
        strict=True,
    ):
        lo, hi = max(0, first - 3), min(w if down else h, last + 4)
        cut = (slice(None), slice(lo, hi)) if down else (slice(lo, hi), slice(None))
        band = cv2.dilate(np.ascontiguousarray(rules[cut]), ones(1, 5))
        left = cv2.bitwise_not(np.ascontiguousarray(out[cut]))
        opened = cv2.morphologyEx(left, cv2.MORPH_OPEN, ones(1, 3))
        sliver = (band > 0) & (cv2.subtract(left, opened) > 0)
        out[cut][sliver] = 255


# ------------------------------------------------------------------ bilevel input

BILEVEL_MAX_GRAY = 0.005  # share of pixels that are neither black nor white


def is_bilevel(image: np.ndarray) -> bool:
    """True for a page that is already two-tone (fax, 1-bit TIFF/PNG): at most
    BILEVEL_MAX_GRAY of its pixels are anything but 0 or 255 (checked on a
    strided sample). Such a page has no background to flatten and nothing to
    threshold: Sauvola on it only re-draws the strokes' edges."""
    if image.ndim == 3:
        if image.shape[2] == 4:
            image = image[:, :, :3]
        sample = image[::4, ::4]
        if not (
            np.array_equal(sample[..., 0], sample[..., 1])
            and np.array_equal(sample[..., 1], sample[..., 2])
        ):
            return False
        sample = sample[..., 0]
    else:
        sample = image[::4, ::4]
    if sample.size == 0:
        return False
    hist = np.bincount(sample.ravel(), minlength=256)
    return bool((sample.size - hist[0] - hist[255]) <= BILEVEL_MAX_GRAY * sample.size)


def upscale_bilevel(
    binary: np.ndarray, dpi: float | None = None, target: int = TARGET_DPI
) -> tuple[np.ndarray, float]:
    """Two-tone page to ~target DPI, still two-tone: linear resampling then a
    threshold halfway, so edges follow the original contour instead of the
    staircase nearest-neighbour makes (and without cubic's overshoot). Same
    limits as `normalize_resolution`."""
    out, out_dpi = normalize_resolution(binary, dpi, target, upscale=cv2.INTER_LINEAR)
    return (binary, out_dpi) if out is binary else (_rethreshold(out), out_dpi)


def _rethreshold(gray: np.ndarray) -> np.ndarray:
    return cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)[1]


# ------------------------------------------------------------------ compose


def _timed(timings: dict[str, float], name: str, fn: Callable[[], object]) -> object:
    t0 = time.perf_counter()
    result = fn()
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return result


def keep_ink_shading(binary: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """The flattened grey page where the cleaned binary page has ink (grown by one pixel),
    white elsewhere: what the earlier stages removed (noise, leaders, rules, background)
    stays removed, and the ink keeps its grey edges.

    A phone photo's letters are a few soft pixels wide after the warp, and thresholding
    them loses the shape of the small marks (`~` against `` ` `` over `ô`): Tesseract's
    recognizer reads grey levels. On the OCR bench's 27 photo pages, values read exactly
    1164 -> 1219 of 1311 (CER 0.0135 -> 0.0107). On flatbed scans it lost (2607 -> 2597 of
    2781: on two pages Tesseract's own layout analysis of the grey page set the labels
    apart from their values), so only photos take it.
    """
    ink = cv2.dilate(cv2.compare(binary, 128, cv2.CMP_LT), np.ones((3, 3), np.uint8))
    out = np.full_like(flat, 255)
    cv2.copyTo(flat, ink, out)
    return out


# A fax's letters are staircases of whole pixels (1-bit, 200 DPI, upscaled): Tesseract's
# recognizer, trained on smooth renderings, reads them better once their edges are grey.
# Measured end to end on the 59 fax records of seeds 0, 44 and 77 (fields right | records
# all right | valid records digitized of 49, precision 1.000 throughout): two-tone 0.967 |
# 0.649 | 31; sigma 1.2: 0.980 | 0.807 | 36; 1.4: 0.982 | 0.825 | 38; 1.6: 0.984 | 0.842 |
# 33 (more right records held for doubt). On a clean synthetic fax, 1.0-1.3 lost the
# tilde of `NGUYỄN` in capitals where 1.4-1.6 kept it.
SOFTEN_SIGMA = 1.4  # px at 300 DPI


def soften_bilevel(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """A two-tone page with grey edges: a Gaussian blur of SOFTEN_SIGMA (at 300 DPI).
    Strokes 2 px wide or more stay under 128 (ink, to the later tests on `< 128`)."""
    sigma = SOFTEN_SIGMA * float(dpi) / TARGET_DPI
    return cv2.GaussianBlur(binary, (0, 0), sigma)


def clean_page(
    image: np.ndarray, dpi: float | None = None, *, orient: bool = True, use_osd: bool = True,
    cap_share: float | None = None, sideways: bool | None = None, hairlines: bool = False,
) -> CleanedPage:
    """Run every stage in the fixed order; see the module docstring.

    Orientation here is only the cheap part: `is_sideways` (projection profiles)
    tells a page turned 90/270 from one at 0/180, and only a sideways page pays for
    Tesseract OSD (`use_osd=False` skips it) to pick 90 or 270. Upright vs upside down
    is judged on the binary page by `upright_verdict` (`upright_sure`); where its lines
    cannot tell, it is left to the caller that reads the page (`ocr.process.process_page`
    tries the 180 turn when the reading is poor). `orientation_sure` is False when that
    check must not be skipped (OSD unsure on a sideways page).
    `orient=False` skips orientation entirely (callers that know pages are upright);
    `sideways=False` skips only the quarter-turn test (a reading found the page's words
    lying down as they should: it is upright or upside down).
    `hairlines=True` runs `restore_hairlines` after the threshold: only for a page read
    poorly (ocr.process's light-strokes reread), where the better reading is kept.
    """
    t: dict[str, float] = {}
    if dpi and TARGET_DPI / float(dpi) < 0.85:
        # A scan finer than needed (400-600 DPI) is brought down first: every
        # stage after this one, colour separation included, costs per pixel.
        image, dpi = _timed(t, "normalize_resolution", lambda: normalize_resolution(image, dpi))
    gray = _timed(t, "to_grayscale", lambda: to_grayscale(image))
    two_tone = _timed(t, "is_bilevel", lambda: is_bilevel(gray))
    quad = None
    if two_tone:
        # Fax / 1-bit page: no background to flatten, nothing to threshold, no
        # desk around the sheet. Isolated pixels go at the native resolution
        # (where they are single pixels), then a two-tone upscale.
        gray = _timed(t, "remove_speckle", lambda: remove_speckle(gray))
        flat, out_dpi = _timed(t, "normalize_resolution", lambda: upscale_bilevel(gray, dpi))
        # Line streaks of the transmission are level in the image, not with the
        # (possibly skewed) text: remove them now, before deskewing slants them.
        flat = _timed(t, "remove_long_rules", lambda: remove_long_rules(flat, out_dpi))
    else:
        quad = _timed(t, "find_page_quad", lambda: find_page_quad(gray))
        if quad is not None:
            gray = _timed(t, "correct_perspective", lambda: correct_perspective(gray, quad))
            dpi = TARGET_DPI
        gray, out_dpi = _timed(t, "normalize_resolution", lambda: normalize_resolution(gray, dpi))
        flat = _timed(t, "flatten_illumination", lambda: flatten_illumination(gray, out_dpi))
    rotation = 0
    sure = True
    # One downscaled copy serves both profile measurements (orientation, skew):
    # they are scale-free, and resampling the full page is most of their cost.
    probe, _ = _timed(t, "estimate_skew", lambda: _downscale(flat, SKEW_LONG_SIDE))
    if orient and (sideways if sideways is not None
                   else _timed(t, "orientation_axis", lambda: is_sideways(probe))):
        found = _timed(t, "detect_orientation", lambda: osd(flat)) if use_osd else None
        if found is not None and found[1] >= OSD_MIN_CONFIDENCE:
            rotation = found[0]  # OSD sure (even if it overrules the profiles)
        else:
            rotation, sure = 90, False  # 90 or 270: the reading will tell
        flat = rotate_quadrant(flat, rotation)
        probe = rotate_quadrant(probe, rotation)
    skew = _timed(t, "estimate_skew", lambda: estimate_skew(probe))
    flat = _timed(t, "deskew", lambda: deskew(flat, skew))
    if two_tone:
        binary = _timed(t, "binarize", lambda: _rethreshold(flat))
    else:
        shake = _timed(t, "shake_ratio", lambda: shake_ratio(flat))
        binary = _timed(t, "binarize", lambda: binarize(
            flat, out_dpi, cap=ink_cap(flat, shake, cap_share)))
        if hairlines:
            binary = _timed(t, "restore_hairlines",
                            lambda: restore_hairlines(binary, flat, out_dpi))
    binary = _timed(
        t, "remove_specks_and_leaders", lambda: remove_specks_and_leaders(binary, out_dpi)
    )
    binary = _timed(
        t, "remove_marks_in_counters", lambda: remove_marks_in_counters(binary, out_dpi)
    )
    binary = _timed(t, "remove_long_rules", lambda: remove_long_rules(binary, out_dpi))
    upright = _timed(t, "upright_verdict", lambda: upright_verdict(binary, out_dpi)) \
        if orient else None
    if quad is not None:
        page = _timed(t, "keep_ink_shading", lambda: keep_ink_shading(binary, flat))
    elif two_tone:
        page = _timed(t, "soften_bilevel", lambda: soften_bilevel(binary, out_dpi))
    else:
        page = binary
    if upright is False:
        # Turned here, before any reading; the reading may still turn it back (a turned
        # page is not `upright_sure`), so a wrong verdict costs a reading, not the page.
        page = rotate_quadrant(page, 180)
        rotation = (rotation + 180) % 360
    return CleanedPage(page, rotation, skew, t, out_dpi, quad, sure,  # type: ignore[arg-type]
                       thresholded=not two_tone, upright_sure=upright is True)
