"""Page cleaning before OCR: small named stages run in a fixed order.

Each stage is a plain function (image -> image, or image -> measurement) with no
orchestration inside, so each can be tested alone. `clean_page` runs them in the
order OCRmyPDF found to work (rotate -> remove background -> deskew -> clean):

    to_grayscale (security-paper separation)
    -> find_page_quad + correct_perspective (phone photos only)
    -> normalize_resolution (to ~300 DPI)
    -> flatten_illumination (divide by a background estimate)
    -> is_sideways (projection profiles, ms) and, only for sideways pages,
       Tesseract OSD (90 vs 270) + rotate_quadrant; 0 vs 180 is settled by
       ocr.process.process_page from the reading itself
    -> estimate_skew + deskew
    -> binarize (Sauvola) -> denoise -> remove_dotted_leaders (+ long rules)

Measurements (quad, orientation, skew) run on downscaled copies: cleaning must
cost a fraction of Tesseract's time on the page.
"""

from __future__ import annotations

import re
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
    image: np.ndarray  # uint8, binary (0/255), upright and deskewed, ~300 DPI
    rotation: int  # degrees clockwise applied to make the page upright (0/90/180/270)
    skew_degrees: float  # content was turned this much clockwise (+) before deskew
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    dpi: float = TARGET_DPI
    quad: np.ndarray | None = None  # page corners found in the input, if any
    orientation_sure: bool = True  # False: 0 vs 180 (or 90 vs 270) must be checked by reading


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
    if image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    b, g, r = cv2.split(image)
    mx = cv2.max(cv2.max(b, g), r)  # cv2 is ~10x faster than ndarray.max(axis=2)
    mn = cv2.min(cv2.min(b, g), r)
    out = mx
    red_mask = strong_red_mask(image, mx, mn)
    out[red_mask] = mn[red_mask]
    return out


def strong_red_mask(
    image: np.ndarray, mx: np.ndarray | None = None, mn: np.ndarray | None = None
) -> np.ndarray:
    """Pixels of saturated, fairly deep red: printed red titles and seals (not pink).

    Red dominant by > 90 levels and HSV saturation > ~0.6; pink guilloche
    (R 230, G 160, B 175) has saturation ~0.3 and is left to the max channel.
    """
    if mn is None:
        mn = cv2.min(cv2.min(image[:, :, 0], image[:, :, 1]), image[:, :, 2])
    b, g, r = cv2.split(image)
    red_lead = cv2.subtract(r, cv2.max(g, b)) > 90  # saturating uint8 maths: cheap
    saturated = mn.astype(np.float32) < 0.41 * r.astype(np.float32)
    return red_lead & saturated


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
    long_px, short_px = max(h, w), min(h, w)
    return float((long_px / (A4_MM[1] / MM_PER_INCH) + short_px / (A4_MM[0] / MM_PER_INCH)) / 2)


def normalize_resolution(
    image: np.ndarray, dpi: float | None = None, target: int = TARGET_DPI
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
    interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    out = cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)
    return out, src * factor


def _downscale(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    s = long_side / max(h, w)
    if s >= 1:
        return image, 1.0
    return cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), s


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
    pts = _skew_points(gray, long_side)
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
    """tl, tr, br, bl."""
    pts = pts.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]],
        dtype=np.float32,
    )


def find_page_quad(image: np.ndarray, min_area: float = 0.25) -> np.ndarray | None:
    """Corners (tl, tr, br, bl; float32, input pixels) of a sheet photographed on a desk.

    The sheet is the largest bright convex 4-point contour covering more than
    `min_area` of the frame. Returns None for flatbed scans (the "sheet" is the
    whole frame) and when no clear quadrilateral exists: a wrong warp is far
    worse than none.
    """
    gray = image if image.ndim == 2 else image.max(axis=2)
    small, s = _downscale(gray, 800)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Close text holes so the sheet is one solid blob.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    frame_area = small.shape[0] * small.shape[1]
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    if area < min_area * frame_area or area > 0.97 * frame_area:
        return None
    peri = cv2.arcLength(c, True)
    approx = None
    for eps in (0.01, 0.02, 0.03, 0.04):
        a = cv2.approxPolyDP(c, eps * peri, True)
        if len(a) == 4:
            approx = a
            break
    if approx is None or not cv2.isContourConvex(approx):
        return None
    # The polygon must explain the blob; a torn or folded sheet would not.
    if cv2.contourArea(approx) < 0.9 * area:
        return None
    quad = _order_corners(approx) / s
    return _refine_corners(gray, quad)


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


def _skew_points(gray: np.ndarray, long_side: int = 1600) -> np.ndarray:
    """(x, y) of ink pixels on a downscaled copy, centred."""
    small, _ = _downscale(gray, long_side)
    if small.dtype != np.uint8:
        small = small.astype(np.uint8)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    if xs.size > 400_000:  # enough for a sharp profile; bounds the cost
        idx = np.random.default_rng(0).choice(xs.size, 400_000, replace=False)
        xs, ys = xs[idx], ys[idx]
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    pts -= np.array([small.shape[1] / 2, small.shape[0] / 2])
    return pts


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

    Projection-profile search, coarse to fine (0.5 deg, 0.05 deg, 0.01 deg), on the
    coordinates of ink pixels of a downscaled copy: rotating points and counting
    them is much cheaper than rotating images.
    """
    pts = _skew_points(gray)
    if len(pts) < 500:
        return 0.0
    best = 0.0
    for span, step in ((max_angle, 0.5), (0.6, 0.05), (0.06, 0.01)):
        angles = np.arange(best - span, best + span + step / 2, step)
        scores = [_profile_score(pts, a) for a in angles]
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


def ink_cap(gray: np.ndarray) -> int:
    """Global guard of `binarize`: pixels lighter than this are never ink.

    It follows the page's own ink: INK_CAP_SHARE of the way from the ink level to
    the paper, never under INK_MAX (fresh ink: ~165) nor over INK_CAP_MAX. A fixed
    cap dropped faded ink (lighter than the cap) whole.
    """
    lvl = ink_level(gray)
    return int(np.clip(lvl + INK_CAP_SHARE * (255 - lvl), INK_MAX, INK_CAP_MAX))


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


def denoise(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Drop ink specks smaller than ~0.15 mm (scanner dust, JPEG ringing).

    A Vietnamese dot-below or the dot of an i is ~0.3 mm (~4x4 px at 300 DPI),
    so the limit stays well under it.
    """
    min_area = max(2, int(round(4 * (dpi / 300) ** 2)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < min_area
    small[0] = False
    out = binary.copy()
    out[small[labels]] = 255
    return out


# ------------------------------------------------------------------ leaders and rules


def _text_height(stats: np.ndarray) -> float:
    """Median height of letter-sized components: the page's text size in px."""
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 8) & (h <= 120) & (w <= 3 * h)
    return float(np.median(h[keep])) if keep.any() else 30.0


def find_dotted_leaders(binary: np.ndarray, min_run: int = 6) -> np.ndarray:
    """Component labels mask of dotted-leader dots.

    A dot is a small, roughly square component (at most ~1/3 of the text height).
    Dots are grouped by row (centres within a few px vertically); a leader is a run
    of >= `min_run` dots along one baseline whose spacings are nearly equal.
    Vietnamese diacritics (dot below, dot of i) are single or a few at
    letter-width, irregular spacing, so they never form such a run.
    """
    n, labels, stats, cents = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    th = _text_height(stats)
    w = stats[:, cv2.CC_STAT_WIDTH]
    h = stats[:, cv2.CC_STAT_HEIGHT]
    dot_max = max(3.0, 0.35 * th)
    cand = (w <= dot_max) & (h <= dot_max) & (w >= 1) & (h >= 1)
    cand &= (w <= 2.5 * h) & (h <= 2.5 * w)
    cand[0] = False
    idx = np.nonzero(cand)[0]
    remove = np.zeros(n, dtype=bool)
    if idx.size < min_run:
        return remove
    cy = cents[idx, 1]
    cx = cents[idx, 0]
    order = np.argsort(cy)
    idx, cy, cx = idx[order], cy[order], cx[order]
    tol = max(2.0, 0.12 * th)
    # Sweep rows: group dots whose centre y is within tol of the group's first dot.
    start = 0
    while start < idx.size:
        end = start
        while end + 1 < idx.size and cy[end + 1] - cy[start] <= tol:
            end += 1
        group = np.arange(start, end + 1)
        if group.size >= min_run:
            g = group[np.argsort(cx[group])]
            xs = cx[g]
            gaps = np.diff(xs)
            # Split into runs wherever the gap is far from the local pitch or too big.
            run = [0]
            for j in range(1, len(g)):
                gap = gaps[j - 1]
                ok = 1.0 <= gap <= 1.2 * th
                if ok and len(run) >= 2:
                    pitch = np.median(np.diff(xs[run]))
                    ok = abs(gap - pitch) <= max(2.0, 0.35 * pitch)
                if ok:
                    run.append(j)
                else:
                    if len(run) >= min_run:
                        remove[idx[g[run]]] = True
                    run = [j]
            if len(run) >= min_run:
                remove[idx[g[run]]] = True
        start = end + 1
    return remove[labels]


def remove_dotted_leaders(binary: np.ndarray, min_run: int = 6) -> np.ndarray:
    """Whiten dotted leaders (`Họ, chữ đệm, tên: ........ NGUYỄN VĂN AN`).

    Tesseract reads leaders as strings of dots, commas and 'i's glued to the
    label and the value; removing them gives clean `label: value` lines.
    """
    out = binary.copy()
    out[find_dotted_leaders(binary, min_run)] = 255
    return out


def remove_long_rules(binary: np.ndarray, dpi: float = TARGET_DPI) -> np.ndarray:
    """Whiten thin horizontal rules much longer than a word (underlines, form lines).

    An opening with a long flat kernel keeps only horizontal strokes >= ~2.5 cm;
    strokes thicker than ~1 mm (bars, dark blocks) are not rules and are kept.
    Text touching the rule loses only the rule's pixels.
    """
    ink = 255 - binary
    length = int(dpi / MM_PER_INCH * 25)
    rules = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    if not rules.any():
        return binary
    thick = int(dpi / MM_PER_INCH * 1.0)
    too_thick = cv2.morphologyEx(
        rules, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, thick))
    )
    rules = cv2.subtract(rules, too_thick)
    out = binary.copy()
    out[rules > 0] = 255
    return out


# ------------------------------------------------------------------ compose


def _timed(timings: dict[str, float], name: str, fn: Callable[[], object]) -> object:
    t0 = time.perf_counter()
    result = fn()
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return result


def clean_page(
    image: np.ndarray, dpi: float | None = None, *, orient: bool = True, use_osd: bool = True
) -> CleanedPage:
    """Run every stage in the fixed order; see the module docstring.

    Orientation here is only the cheap part: `is_sideways` (projection profiles)
    tells a page turned 90/270 from one at 0/180, and only a sideways page pays for
    Tesseract OSD (`use_osd=False` skips it) to pick 90 or 270. Upright vs upside down
    is left to the caller that reads the page (`ocr.process.process_page` reads it,
    and tries the 180 turn only when the reading is poor). `orientation_sure` is
    False when that check must not be skipped (OSD unsure on a sideways page).
    `orient=False` skips orientation entirely (callers that know pages are upright).
    """
    t: dict[str, float] = {}
    gray = _timed(t, "to_grayscale", lambda: to_grayscale(image))
    quad = _timed(t, "find_page_quad", lambda: find_page_quad(gray))
    if quad is not None:
        gray = _timed(t, "correct_perspective", lambda: correct_perspective(gray, quad))
        dpi = TARGET_DPI
    gray, out_dpi = _timed(t, "normalize_resolution", lambda: normalize_resolution(gray, dpi))
    flat = _timed(t, "flatten_illumination", lambda: flatten_illumination(gray, out_dpi))
    rotation = 0
    sure = True
    if orient and _timed(t, "orientation_axis", lambda: is_sideways(flat)):
        found = _timed(t, "detect_orientation", lambda: osd(flat)) if use_osd else None
        if found is not None and found[1] >= OSD_MIN_CONFIDENCE:
            rotation = found[0]  # OSD sure (even if it overrules the profiles)
        else:
            rotation, sure = 90, False  # 90 or 270: the reading will tell
        flat = rotate_quadrant(flat, rotation)
    skew = _timed(t, "estimate_skew", lambda: estimate_skew(flat))
    flat = _timed(t, "deskew", lambda: deskew(flat, skew))
    binary = _timed(t, "binarize", lambda: binarize(flat, out_dpi))
    binary = _timed(t, "denoise", lambda: denoise(binary, out_dpi))
    binary = _timed(t, "remove_dotted_leaders", lambda: remove_dotted_leaders(binary))
    binary = _timed(t, "remove_long_rules", lambda: remove_long_rules(binary, out_dpi))
    return CleanedPage(binary, rotation, skew, t, out_dpi, quad, sure)  # type: ignore[arg-type]
