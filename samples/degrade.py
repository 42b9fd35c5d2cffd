"""Make a rendered page look scanned, faxed or photographed, deterministically from a seed.

`degrade(page, profile, capture, seed)` returns the degraded image and what was applied, so
benchmarks can check cleaning (skew, 90° turns, perspective corners).

Conventions (as in real-scans/README.md): `skew_degrees` > 0 means the content was turned that
many degrees clockwise (text lines slope down to the right); `rotation` is a further quarter
turn of the content clockwise (0, 90, 180, 270), applied after the skew. `corners` (photo) are
the page corners TL, TR, BR, BL in output pixels.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["PROFILES", "CAPTURES", "Degraded", "degrade"]

PROFILES: tuple[str, ...] = ("clean", "light", "medium", "heavy")
CAPTURES: tuple[str, ...] = ("scan", "fax", "photo")

# profile -> parameters (skew range in degrees, DPI choices, noise sigma, blur sigma,
# probabilities of a quarter turn, stains, uneven light, faded ink; JPEG-artefact quality)
_P: dict[str, dict[str, Any]] = {
    "clean": dict(skew=(0.0, 0.0), dpi=[300], noise=0.0, blur=0.0, turn=0.0, stain=0.0,
                  light=0.0, fade=0.0, jpeg=None),
    "light": dict(skew=(1.0, 3.0), dpi=[200, 300, 300, 400], noise=3.0, blur=0.5, turn=0.05,
                  stain=0.1, light=0.3, fade=0.1, jpeg=None),
    "medium": dict(skew=(2.0, 6.0), dpi=[150, 200, 300, 300], noise=6.0, blur=0.9, turn=0.15,
                   stain=0.4, light=0.5, fade=0.3, jpeg=(55, 75)),
    "heavy": dict(skew=(4.0, 10.0), dpi=[150, 200, 300, 600], noise=10.0, blur=1.3, turn=0.25,
                  stain=0.7, light=0.7, fade=0.6, jpeg=(35, 55)),
}  # fmt: skip


@dataclass
class Degraded:
    image: Image.Image  # "RGB", "L" or "1"
    dpi: int
    applied: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable


def _fade(a: np.ndarray, k: float) -> np.ndarray:
    return 255 - (255 - a) * k


def _stains(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = a.shape[:2]
    small = np.ones((h // 16, w // 16), np.float32)
    for _ in range(int(rng.integers(1, 4))):
        cx, cy = rng.uniform(0, small.shape[1]), rng.uniform(0, small.shape[0])
        r = rng.uniform(8, 30)
        yy, xx = np.ogrid[: small.shape[0], : small.shape[1]]
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / r
        ring = np.exp(-((d - 1.0) ** 2) * 12) * 0.25 + (d < 1) * 0.08
        small *= 1 - ring * rng.uniform(0.5, 1.0)
    mask = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if a.ndim == 3:
        tint = np.array([1.0, 0.93, 0.8], np.float32)  # brownish (RGB)
        return a * (1 - (1 - mask[..., None]) * (1 - tint * 0.6))
    return a * mask


def _light(a: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    h, w = a.shape[:2]
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h:16, 0:w:16].astype(np.float32)
    g = (np.cos(ang) * xx / w + np.sin(ang) * yy / h)
    g = (g - g.min()) / max(1e-6, float(g.max() - g.min()))
    small = 1 - strength * g
    mask = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return a * (mask[..., None] if a.ndim == 3 else mask)


def _noise(a: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return a
    # a random tile of noise repeated with a random offset: far faster than full-size draws
    t = 509  # prime, so the repetition does not line up with text lines
    shape = (t, t, a.shape[2]) if a.ndim == 3 else (t, t)
    tile = rng.standard_normal(shape, dtype=np.float32) * sigma
    reps = (a.shape[0] // t + 2, a.shape[1] // t + 2) + ((1,) if a.ndim == 3 else ())
    big = np.tile(tile, reps)
    oy, ox = int(rng.integers(0, t)), int(rng.integers(0, t))
    return a + big[oy : oy + a.shape[0], ox : ox + a.shape[1]]


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert(img.mode)


def _to_img(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _skew(img: Image.Image, degrees: float, fill: int | tuple[int, int, int]) -> Image.Image:
    if degrees == 0:
        return img
    return img.rotate(-degrees, resample=Image.Resampling.BILINEAR, fillcolor=fill)


_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
         270: Image.Transpose.ROTATE_90}  # fmt: skip


def degrade(page: Image.Image, profile: str = "light", capture: str = "scan", seed: int = 0,
            color: bool | None = None, dpi: int | None = None) -> Degraded:
    """Degrade one 300-DPI page. `color` None: keep colour for tinted paper, else gray.
    `dpi` forces the scan resolution (the pages of one batch file share it)."""
    if profile not in _P:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    if capture not in CAPTURES:
        raise ValueError(f"unknown capture {capture!r}; expected one of {CAPTURES}")
    rnd = random.Random(f"degrade:{seed}:{profile}:{capture}")
    nrng = np.random.default_rng(rnd.getrandbits(63))
    p = _P[profile]
    if capture == "fax":
        return _fax(page, p, rnd, nrng, profile)
    if capture == "photo":
        return _photo(page, p, rnd, nrng, profile)
    applied: dict[str, Any] = {"profile": profile, "capture": "scan"}
    if color is None:
        tinted = page.mode == "RGB" and _is_tinted(page)
        color = tinted and rnd.random() < 0.85 or (not tinted and rnd.random() < 0.2)
    img = page.convert("RGB" if color else "L")
    applied["mode"] = img.mode
    a = np.asarray(img, dtype=np.float32)
    if rnd.random() < p["fade"]:
        k = rnd.uniform(0.45, 0.75)
        a = _fade(a, k)
        applied["faded_ink"] = round(k, 3)
    if rnd.random() < p["stain"]:
        a = _stains(a, nrng)
        applied["stains"] = True
    if rnd.random() < p["light"]:
        s = rnd.uniform(0.1, 0.3)
        a = _light(a, nrng, s)
        applied["uneven_light"] = round(s, 3)
    img = _to_img(a)
    lo, hi = p["skew"]
    angle = round(rnd.choice([-1, 1]) * rnd.uniform(lo, hi), 2) if hi > 0 else 0.0
    fill: int | tuple[int, int, int] = 235 if img.mode == "L" else (235, 235, 235)
    img = _skew(img, angle, fill)
    applied["skew_degrees"] = angle
    dpi = rnd.choice(p["dpi"]) if dpi is None else dpi
    if dpi != 300:
        img = img.resize((round(img.width * dpi / 300), round(img.height * dpi / 300)),
                         Image.Resampling.LANCZOS if dpi < 300 else Image.Resampling.BICUBIC)
    applied["dpi"] = dpi
    a = np.asarray(img, dtype=np.float32)
    if p["blur"] > 0:
        sigma = rnd.uniform(0.3, p["blur"]) * dpi / 300
        a = cv2.GaussianBlur(a, (0, 0), sigma)
        applied["blur_sigma"] = round(sigma, 3)
    if p["noise"] > 0:
        a = _noise(a, nrng, p["noise"])
        applied["noise_sigma"] = p["noise"]
    img = _to_img(a)
    if p["jpeg"]:
        q = rnd.randint(*p["jpeg"])
        img = _jpeg(img, q)
        applied["jpeg_artefacts_quality"] = q
    rotation = rnd.choice([90, 180, 270]) if rnd.random() < p["turn"] else 0
    if rotation:
        img = img.transpose(_TURN[rotation])
    applied["rotation"] = rotation
    return Degraded(img, dpi, applied)


def _is_tinted(page: Image.Image) -> bool:
    small = np.asarray(page.resize((64, 90)), dtype=np.int16)
    return float(np.abs(small[..., 0] - small[..., 1]).mean()) > 4 or float(
        np.abs(small[..., 1] - small[..., 2]).mean()) > 4


def _fax(page: Image.Image, p: dict[str, Any], rnd: random.Random, nrng: np.random.Generator,
         profile: str) -> Degraded:
    dpi = 200
    img = page.convert("L")
    angle = round(rnd.choice([-1, 1]) * rnd.uniform(0.2, min(3.0, max(0.5, p["skew"][1]))), 2)
    img = _skew(img, angle, 255)
    img = img.resize((1728, round(img.height * 1728 / img.width)), Image.Resampling.LANCZOS)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 22)
    stamp = (f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/20{rnd.randint(19, 25)} "
             f"{rnd.randint(7, 17):02d}:{rnd.randint(0, 59):02d}   "
             f"FAX 0274 38{rnd.randint(10000, 99999)}   P.001")
    d.text((30, 8), stamp, font=font, fill=0)
    a = np.asarray(img, dtype=np.float32)
    a = _noise(a, nrng, 8 + p["noise"])
    thr = rnd.uniform(140, 175) if profile != "heavy" else rnd.uniform(120, 150)
    binary = a > thr
    speckle = {"clean": 0.0005, "light": 0.001, "medium": 0.002, "heavy": 0.004}[profile]
    flip = nrng.random(binary.shape) < speckle
    binary = np.where(flip, ~binary, binary)
    if profile in ("medium", "heavy"):  # a few streaks from the fax line
        for _ in range(rnd.randint(1, 4)):
            y = rnd.randrange(binary.shape[0])
            binary[y : y + rnd.randint(1, 3), :] = rnd.random() < 0.5
    img = Image.fromarray((binary * 255).astype(np.uint8)).convert("1", dither=Image.Dither.NONE)
    rotation = 180 if rnd.random() < p["turn"] / 2 else 0
    if rotation:
        img = img.transpose(_TURN[rotation])
    applied = {"profile": profile, "capture": "fax", "mode": "1", "dpi": dpi,
               "skew_degrees": angle, "rotation": rotation, "threshold": round(thr, 1),
               "speckle": speckle}
    return Degraded(img, dpi, applied)


def _desk(w: int, h: int, rnd: random.Random, nrng: np.random.Generator) -> np.ndarray:
    base = np.array(rnd.choice([(92, 70, 52), (70, 70, 74), (120, 96, 70), (45, 42, 40)]),
                    np.float32)
    low = cv2.resize(nrng.standard_normal((h // 64 + 1, w // 64 + 1)).astype(np.float32),
                     (w, h), interpolation=cv2.INTER_CUBIC)
    grain = cv2.resize(nrng.standard_normal((h // 3, w // 3)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_LINEAR)
    streaks = cv2.resize(nrng.standard_normal((h, 8)).astype(np.float32), (w, h))
    tex = 1 + 0.12 * low + 0.05 * grain + 0.06 * streaks
    return base[None, None, :] * tex[..., None]


def _photo(page: Image.Image, p: dict[str, Any], rnd: random.Random,
           nrng: np.random.Generator, profile: str) -> Degraded:
    out_w, out_h = 2250, 3000
    strength = {"clean": 0.02, "light": 0.05, "medium": 0.08, "heavy": 0.12}[profile]
    margin_x, margin_y = out_w * 0.08, out_h * 0.06
    base = [(margin_x, margin_y), (out_w - margin_x, margin_y),
            (out_w - margin_x, out_h - margin_y), (margin_x, out_h - margin_y)]
    corners = [(x + rnd.uniform(-1, 1) * strength * out_w,
                y + rnd.uniform(-1, 1) * strength * out_h) for x, y in base]
    src_w = round(page.width * 0.75)
    src_h = round(page.height * 0.75)
    src = np.asarray(page.convert("RGB").resize((src_w, src_h), Image.Resampling.BILINEAR),
                     dtype=np.uint8)
    m = cv2.getPerspectiveTransform(
        np.array([(0, 0), (src_w, 0), (src_w, src_h), (0, src_h)], np.float32),
        np.array(corners, np.float32))
    warped = cv2.warpPerspective(src, m, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((src_h, src_w), 255, np.uint8), m, (out_w, out_h),
                               flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255
    desk = _desk(out_w, out_h, rnd, nrng)
    a = warped.astype(np.float32) * mask + desk * (1 - mask)
    # warm indoor light, a shadow gradient (phone/hand), slight blur and sensor noise
    a *= np.array([1.0, 0.97, 0.9], np.float32)
    shade = rnd.uniform(0.25, 0.5) if profile != "clean" else 0.15
    a = _light(a, nrng, shade)
    sigma = rnd.uniform(0.6, 1.0 + p["blur"])
    a = cv2.GaussianBlur(a, (0, 0), sigma)
    a = _noise(a, nrng, 3 + p["noise"] / 2)
    img = _to_img(a)
    dpi = round(np.hypot(corners[1][0] - corners[0][0], corners[1][1] - corners[0][1]) / 8.27)
    applied = {"profile": profile, "capture": "photo", "mode": "RGB", "dpi": dpi,
               "skew_degrees": 0.0, "rotation": 0, "blur_sigma": round(sigma, 3),
               "shadow": round(shade, 3),
               "corners": [[round(x, 1), round(y, 1)] for x, y in corners]}
    return Degraded(img, dpi, applied)
