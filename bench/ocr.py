"""OCR benchmark on generated pages: raw Tesseract vs the cleaned page (`make bench-ocr`).

    .venv/bin/python -m bench.ocr [--pages 84] [--workers 2] [--fresh] [--limit N]

Data set (made once, then reused from bench-out/ocr/): a balanced design, not the
inbox's weighted draw, so every cell has pages. Page i gets profile PROFILES[i % 4],
capture (scan, scan, fax, photo)[(i // 4) % 4] (so every profile meets every capture),
document type i % 3 with its layouts in turn, fonts in turn, and every other
certificate on security paper. Every security-paper page has a TWIN: the same record,
layout, font and degradation seed on plain paper (for the security vs plain figure;
twins are not counted in the per-profile table). Multi-page records use their first page.

Truth text: the renderer does not expose what it printed, so the benchmark records it
while rendering (it wraps `samples.render.Page.text`, through which every label, value
and heading is drawn; seal lettering and the emblem are drawn otherwise and are not
text to read). Each drawn string is a SEGMENT (a label, a value, a heading line).

CER (order-free, per segment): text is NFC, runs of leader dots/underscores removed,
whitespace collapsed. For each segment of >= 3 characters, the edit distance of its
best-matching substring anywhere in the page's OCR text (all lines joined by spaces)
is taken; CER = sum of distances / sum of segment lengths. This is independent of the
reading order Tesseract picks for columns (which a plain page-level Levenshtein would
punish as errors), but it does not charge junk read from the background: the junk shows
in the page quality and in the field extraction benchmark instead.

Other figures: orientation right (applied quarter turn undone; every third page is also
read turned 90/180/270 degrees in turn, since few generated pages are), deskew residual
|estimated - applied| on pages with a known skew, perspective corner error (max over
the four corners, in % of the page's long side) on photos, and seconds per stage
against OCR time. Pages are processed in `--workers` processes, each Tesseract with
OMP_THREAD_LIMIT=1 (raw readings are cached: they do not change with the pipeline).
"""

from __future__ import annotations

import os

os.environ["OMP_THREAD_LIMIT"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from multiprocessing import Pool  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from ocr.process import AFTER_READING_STAGES, READING_STAGES  # noqa: E402
from ocr.text import nfc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-out" / "ocr"
CAPTURE_CYCLE = ("scan", "scan", "fax", "photo")
DOC_TYPES = ("birth_certificate", "resident_info_form", "marriage_certificate")


# ------------------------------------------------------------------ data set


def _render_with_text(record, rng, **kw):  # type: ignore[no-untyped-def]
    """render_record, plus the strings drawn on each page: {page_index: [(x, y, s)]}."""
    from samples import render

    log: list[tuple[int, float, float, str]] = []
    orig_text, orig_once = render.Page.text, render._render_once

    def text(self, x, y, s, font, fill=None):  # type: ignore[no-untyped-def]
        log.append((id(self.img), float(x), float(y), s))
        return orig_text(self, x, y, s, font, fill)

    def once(*a, **k):  # type: ignore[no-untyped-def]
        log.clear()  # a re-render (smaller type) replaces the previous attempt
        return orig_once(*a, **k)

    render.Page.text, render._render_once = text, once  # type: ignore[method-assign]
    try:
        rendered = render.render_record(record, rng, **kw)
    finally:
        render.Page.text, render._render_once = orig_text, orig_once  # type: ignore[method-assign]
    ids = {id(p): i for i, p in enumerate(rendered.pages)}
    segs: dict[int, list] = defaultdict(list)
    for pid, x, y, s in log:
        if pid in ids and s.strip():
            segs[ids[pid]].append((x, y, s))
    return rendered, segs


def _design(n: int) -> list[dict]:
    from samples.degrade import PROFILES
    from samples.render import LABEL_FONTS, LAYOUTS

    fonts = sorted(set(LABEL_FONTS))
    cases = []
    layout_turn: dict[str, int] = defaultdict(int)
    cert_turn = 0
    for i in range(n):
        dt = DOC_TYPES[i % 3]
        layouts = LAYOUTS[dt]
        layout = layouts[layout_turn[dt] % len(layouts)]
        layout_turn[dt] += 1
        security = False
        if dt != "resident_info_form":
            security = cert_turn % 2 == 0
            cert_turn += 1
        cases.append(
            dict(
                id=f"p{i:03d}",
                doc_type=dt,
                layout=layout,
                font=fonts[(i // 3) % len(fonts)],
                profile=PROFILES[i % 4],
                capture=CAPTURE_CYCLE[(i // 4) % 4],
                security=security,
                seed=1000 + i,
            )
        )
    return cases


def _make_case(case: dict) -> dict:
    from samples.degrade import degrade
    from samples.people import make_record
    from schemas.wards import WardRegistry

    registry = WardRegistry.load(None)
    ward = registry.get(registry.codes()[case["seed"] % len(registry.codes())])
    rec = make_record(random.Random(f"bench-ocr:{case['seed']}"), ward, case["doc_type"], registry)
    out = []
    variants = [(case["id"], case["security"])]
    if case["security"]:
        variants.append((case["id"] + "-plain", False))
    for vid, sec in variants:
        rendered, segs = _render_with_text(
            rec,
            random.Random(case["seed"]),
            layout=case["layout"],
            font=case["font"],
            security=sec,
        )
        d = degrade(rendered.pages[0], case["profile"], case["capture"], seed=case["seed"])
        img = d.image.convert("L") if d.image.mode == "1" else d.image
        path = OUT / f"{vid}.png"
        cv2.imwrite(str(path), _to_cv(np.asarray(img)))
        meta = dict(
            case,
            id=vid,
            twin_of=case["id"] if vid != case["id"] else None,
            security=rendered.security_paper,
            layout=rendered.layout,
            font_used=rendered.font,
            dpi=d.dpi,
            applied=d.applied,
            segments=[s for _, _, s in segs[0]],
        )
        (OUT / f"{vid}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        out.append(meta)
    return {"cases": out}


def _to_cv(a: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(a, cv2.COLOR_RGB2BGR) if a.ndim == 3 else a


def ensure_dataset(n: int, workers: int, fresh: bool) -> list[dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    cases = _design(n)
    todo = [c for c in cases if fresh or not (OUT / f"{c['id']}.json").exists()]
    if todo:
        print(f"generating {len(todo)} records into {OUT} ...", flush=True)
        with Pool(workers) as pool:
            pool.map(_make_case, todo)
    metas = []
    for c in cases:
        for vid in (c["id"], c["id"] + "-plain"):
            p = OUT / f"{vid}.json"
            if p.exists():
                metas.append(json.loads(p.read_text(encoding="utf-8")))
    return metas


# ------------------------------------------------------------------ scoring


def normalize(text: str) -> str:
    text = nfc(text)
    text = re.sub(r"[.…·_]{2,}", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def substring_distance(needle: str, hay: str) -> int:
    """Edit distance between `needle` and its best-matching substring of `hay`
    (semi-global alignment; vectorized over `hay`, one row per needle character)."""
    if not needle:
        return 0
    if not hay:
        return len(needle)
    h = np.frombuffer(hay.encode("utf-32-le"), dtype=np.uint32)
    m = len(h)
    prev = np.zeros(m + 1, dtype=np.int32)  # free start anywhere in hay
    idx = np.arange(m + 1, dtype=np.int32)
    for i, ch in enumerate(needle, 1):
        cost = (h != ord(ch)).astype(np.int32)
        e = np.empty(m + 1, dtype=np.int32)
        e[0] = i
        e[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # horizontal moves (insertions into needle): d[j] = min_k e[k] + (j - k)
        prev = np.minimum.accumulate(e - idx) + idx
    return int(prev.min())


def segment_cer(segments: list[str], ocr_text: str) -> tuple[int, int]:
    hay = normalize(ocr_text.replace("\n", " "))
    dist = total = 0
    for s in segments:
        s = normalize(s)
        if len(s) < 3:
            continue
        dist += min(len(s), substring_distance(s, hay))
        total += len(s)
    return dist, total


# ------------------------------------------------------------------ per page


def _run_page(meta: dict) -> dict:
    from ocr.process import process_page
    from ocr.read import read_page

    img = cv2.imread(str(OUT / f"{meta['id']}.png"), cv2.IMREAD_UNCHANGED)
    applied = meta["applied"]
    dpi = None if meta["capture"] == "photo" else float(meta["dpi"])
    raw_cache = OUT / f"{meta['id']}.raw.json"
    try:
        raw = json.loads(raw_cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        t0 = time.perf_counter()
        text = read_page(img, dpi=int(dpi or 300)).text
        raw = {"text": text, "seconds": time.perf_counter() - t0}
        tmp = raw_cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(raw_cache)  # atomic: several runs may share the cache
    t0 = time.perf_counter()
    reading = process_page(img, dpi)
    total = time.perf_counter() - t0
    timings = dict(getattr(reading, "timings", None) or reading.cleaned.timings)
    ocr_s = timings.pop("ocr", None)
    if ocr_s is None:  # a pipeline that does not report its OCR time
        ocr_s = total - sum(timings.values())
    cleaned = reading.cleaned
    res = dict(
        id=meta["id"],
        twin_of=meta.get("twin_of"),
        profile=meta["profile"],
        capture=meta["capture"],
        security=meta["security"],
        layout=meta["layout"],
        font=meta["font"],
        doc_type=meta["doc_type"],
        faded=applied.get("faded_ink"),
        raw=segment_cer(meta["segments"], raw["text"]),
        clean=segment_cer(meta["segments"], reading.text.text),
        quality=reading.text.quality,
        orient_ok=(applied.get("rotation", 0) + cleaned.rotation) % 360 == 0,
        rotation=applied.get("rotation", 0),
        rotation_found=cleaned.rotation,
        timings=timings,
        ocr_s=ocr_s,
        raw_ocr_s=raw["seconds"],
        total_s=total,
    )
    number = int(meta["id"][1:4])
    if not meta.get("twin_of") and number % 3 == 0:
        # The generated set has few turned pages: every third page is also read turned a
        # quarter, a half or three quarters (in turn), through the whole page reading.
        from ocr.clean import rotate_quadrant

        turn = (90, 180, 270)[number // 3 % 3]
        again = process_page(rotate_quadrant(img, turn), dpi).cleaned
        res["turned_by"] = turn
        res["turned_ok"] = (applied.get("rotation", 0) + turn + again.rotation) % 360 == 0
    skew = applied.get("skew_degrees") or 0.0
    if meta["capture"] != "photo" and abs(skew) > 0:
        res["skew_residual"] = abs(cleaned.skew_degrees - skew)
    if meta["capture"] == "photo" and applied.get("corners"):
        true = np.array(applied["corners"], dtype=np.float64)
        long_side = max(img.shape[:2])
        if cleaned.quad is None:
            res["corner_err_pct"] = None
        else:
            err = np.hypot(*(np.asarray(cleaned.quad, dtype=np.float64) - true).T).max()
            res["corner_err_pct"] = 100 * float(err) / long_side
        res["edge_off_photo"] = _edge_off_photo(true, img.shape[:2])
    return res


def _edge_off_photo(corners: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a whole side of the sheet lies outside the photo (both its ends beyond
    the same side of the frame): nothing in the photo shows where that side is, so
    its two corners can only be guessed (the finder puts them on the frame)."""
    h, w = shape
    for i in range(4):
        ends = corners[[i, (i + 1) % 4]]
        if (ends[:, 0] < 0).all() or (ends[:, 1] < 0).all():
            return True
        if (ends[:, 0] > w - 1).all() or (ends[:, 1] > h - 1).all():
            return True
    return False


# ------------------------------------------------------------------ report


def _cer(rows: list[dict], key: str) -> float:
    d = sum(r[key][0] for r in rows)
    t = sum(r[key][1] for r in rows)
    return d / max(1, t)


def report(results: list[dict]) -> None:
    main = [r for r in results if not r["twin_of"]]
    print(f"\n{len(main)} pages (+{len(results) - len(main)} plain-paper twins)")
    print(f"\n{'group':<22}{'n':>4}{'CER raw':>10}{'CER clean':>11}{'ratio':>8}")

    def line(name: str, rows: list[dict]) -> None:
        if not rows:
            return
        a, b = _cer(rows, "raw"), _cer(rows, "clean")
        ratio = f"{b / a:>8.2f}" if a >= 0.005 else f"{'-':>8}"
        print(f"{name:<22}{len(rows):>4}{a:>10.3f}{b:>11.3f}{ratio}")

    for prof in ("clean", "light", "medium", "heavy"):
        line(f"profile {prof}", [r for r in main if r["profile"] == prof])
    for cap in ("scan", "fax", "photo"):
        line(f"capture {cap}", [r for r in main if r["capture"] == cap])
    for prof in ("clean", "light", "medium", "heavy"):
        for cap in ("scan", "fax", "photo"):
            cell = [r for r in main if r["profile"] == prof and r["capture"] == cap]
            line(f"  {prof}/{cap}", cell)
    line("faded ink", [r for r in main if r["faded"]])
    line("all", main)

    sec = [r for r in results if r["security"]]
    twins = {r["twin_of"]: r for r in results if r["twin_of"]}
    pairs = [(r, twins[r["id"]]) for r in sec if r["id"] in twins]
    if pairs:
        print("\nsecurity paper vs the same records on plain paper (cleaned CER):")
        print(
            f"{'profile':<10}{'n':>4}{'raw sec':>9}{'raw plain':>10}"
            f"{'sec':>8}{'plain':>8}{'diff':>8}"
        )
        for prof in ("clean", "light", "medium", "heavy", "all"):
            ps = [p for p in pairs if prof == "all" or p[0]["profile"] == prof]
            if not ps:
                continue
            s_raw, p_raw = _cer([p[0] for p in ps], "raw"), _cer([p[1] for p in ps], "raw")
            s, p = _cer([p[0] for p in ps], "clean"), _cer([p[1] for p in ps], "clean")
            print(
                f"{prof:<10}{len(ps):>4}{s_raw:>9.3f}{p_raw:>10.3f}{s:>8.3f}{p:>8.3f}{s - p:>+8.3f}"
            )

    ok = sum(r["orient_ok"] for r in results)
    turned = [r for r in results if r["rotation"]]
    print(
        f"\norientation right: {ok}/{len(results)} ({100 * ok / len(results):.1f}%);"
        f" turned pages right: {sum(r['orient_ok'] for r in turned)}/{len(turned)}"
    )
    extra = [r for r in results if "turned_by" in r]
    print(f"copies turned by the benchmark right: {sum(r['turned_ok'] for r in extra)}/"
          f"{len(extra)} (90/180/270 degrees in turn)")
    for r in extra:
        if not r["turned_ok"]:
            print(f"  wrong: {r['id']} turned {r['turned_by']} ({r['profile']}/{r['capture']})")
    for r in results:
        if not r["orient_ok"]:
            print(
                f"  wrong: {r['id']} applied {r['rotation']} found {r['rotation_found']}"
                f" ({r['profile']}/{r['capture']})"
            )
    sk = [r["skew_residual"] for r in results if "skew_residual" in r]
    if sk:
        sk_sorted = sorted(sk)
        print(
            f"deskew residual on {len(sk)} skewed pages: median {statistics.median(sk):.3f} deg,"
            f" 95th pct {sk_sorted[int(0.95 * (len(sk) - 1))]:.3f}, max {max(sk):.3f};"
            f" < 0.2 deg on {sum(s < 0.2 for s in sk)}/{len(sk)}"
        )
    ce = [r for r in results if r["capture"] == "photo"]
    if ce:
        found = [r["corner_err_pct"] for r in ce if r.get("corner_err_pct") is not None]
        print(
            f"perspective: quad found on {len(found)}/{len(ce)} photos;"
            + (
                f" corner error median {statistics.median(found):.2f}%, max {max(found):.2f}%"
                f" of the long side; within 1% on {sum(e <= 1 for e in found)}"
                if found
                else ""
            )
        )
        shown = [r for r in ce if not r.get("edge_off_photo")]
        off = [r for r in ce if r.get("edge_off_photo")]
        err = [r["corner_err_pct"] for r in shown if r.get("corner_err_pct") is not None]
        if off:
            off_err = [r["corner_err_pct"] or 0.0 for r in off]
            print(
                f"  photos showing all four sides of the sheet: within 1% on"
                f" {sum(e <= 1 for e in err)}/{len(shown)} (max {max(err, default=0):.2f}%);"
                f" {len(off)} with a whole side outside the photo (its corners guessed on"
                f" the frame): max {max(off_err):.2f}%"
            )

    print("\nseconds per page (mean over all pages) and share of the final OCR time:")
    ocr = statistics.mean(r["ocr_s"] for r in results)
    raw_ocr = statistics.mean(r["raw_ocr_s"] for r in results)
    stages: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for k, v in r["timings"].items():
            stages[k].append(v)
    # the second readings (Tesseract again on part of the page) are reading, not cleaning
    clean_total = reread_total = after_total = 0.0
    for k, vs in stages.items():
        m = sum(vs) / len(results)
        if k in READING_STAGES:
            reread_total += m
        elif k in AFTER_READING_STAGES:
            after_total += m
        else:
            clean_total += m
        print(
            f"  {k:<26}{m:>7.3f} s  {100 * m / ocr:>6.1f}%"
            f"  (ran on {len(vs)} pages, max {max(vs):.2f})"
        )
    print(f"  {'cleaning total':<26}{clean_total:>7.3f} s  {100 * clean_total / ocr:>6.1f}%")
    print(f"  {'second readings total':<26}{reread_total:>7.3f} s  "
          f"{100 * reread_total / ocr:>6.1f}%")
    print(f"  {'after reading total':<26}{after_total:>7.3f} s  "
          f"{100 * after_total / ocr:>6.1f}%")
    print(f"  {'OCR (cleaned page)':<26}{ocr:>7.3f} s")
    print(f"  {'OCR (raw page)':<26}{raw_ocr:>7.3f} s")
    print(f"  {'process_page total':<26}{statistics.mean(r['total_s'] for r in results):>7.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=84)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="regenerate the data set")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages (quick runs)")
    ap.add_argument("--json", type=Path, help="also write per-page results here")
    args = ap.parse_args()
    metas = ensure_dataset(args.pages, args.workers, args.fresh)
    if args.limit:
        keep = {m["id"] for m in metas if not m.get("twin_of")}
        keep = set(sorted(keep)[: args.limit])
        metas = [m for m in metas if m["id"] in keep or m.get("twin_of") in keep]
    print(f"reading {len(metas)} pages with {args.workers} workers ...", flush=True)
    t0 = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(_run_page, metas, chunksize=1)
    print(f"done in {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    report(results)


if __name__ == "__main__":
    main()
