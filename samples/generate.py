"""Write a synthetic inbox (`out_dir/<ward>/<file>`) and its truth (`<out_dir>.truth.jsonl`).

One truth line per expected record, e.g.::

    {"source_name": "phu-tan/scan-0001.pdf", "record_index": 0, "pages": [1],
     "ward": "phu-tan", "doc_type": "birth_certificate", "expected_status": "digitized",
     "fields": {...RECORDS.md keys, normalized...}, "profile": "clean", "capture": "scan",
     "layout": "dotted", "font": "Liberation Serif", "security_paper": false,
     "edge_case": null, "document_ward": "phu-tan", "duplicate_of": null,
     "degradation": [{...per page...}]}

`ward` is the inbox folder's ward; `document_ward` the ward printed on the document (a registry
code, or the printed name for `ward_unknown`). `fields["ward"]` (birth and marriage) is the
registry code of the document's ward, None when it is not a registry ward. Fields the record
does not print are None. `duplicate_of` names the first copy (`source_name#record_index`);
duplicates are written last and their names sort after the originals (`scan-lại-NNNN`).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from samples.degrade import CAPTURES, PROFILES, degrade
from samples.people import (
    EDGE_CASES,
    RecordData,
    apply_edge_case,
    blank_record,
    make_record,
    unrelated_record,
)
from samples.render import HELD_OUT_FONTS, LAYOUTS, render_record
from schemas.normalize import PLACE_FIELDS, normalize_place
from schemas.wards import WardRegistry

__all__ = ["TruthRecord", "generate_inbox", "read_truth", "FORMATS"]

FORMATS: tuple[str, ...] = ("pdf", "tiff", "png", "jpg")
_EXT = {"pdf": "pdf", "tiff": "tif", "png": "png", "jpg": "jpg"}
PROFILE_WEIGHTS = {"clean": 3, "light": 4, "medium": 2.5, "heavy": 1}
CAPTURE_WEIGHTS = {"scan": 7.5, "photo": 1.5, "fax": 1}


@dataclass
class TruthRecord:
    source_name: str
    record_index: int
    pages: list[int]
    ward: str
    doc_type: str | None
    expected_status: str
    fields: dict[str, str | None]
    profile: str
    capture: str
    layout: str
    font: str
    security_paper: bool
    edge_case: str | None = None
    document_ward: str | None = None
    duplicate_of: str | None = None
    degradation: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=False)


def truth_path(out_dir: Path) -> Path:
    """The truth lies beside the inbox, not in it: a file at the inbox root is a clerk's
    mistake the pipeline rejects, and the truth must not be counted as one."""
    return out_dir.parent / f"{out_dir.name}.truth.jsonl"


def truth_fields(printed: dict[str, str | None]) -> dict[str, str | None]:
    """Fields as the pipeline must report them: printed values, normalized as RECORDS.md
    says (a place starts with a capital even where the form prints `khu phố 3, ...`)."""
    return {k: normalize_place(v) if k in PLACE_FIELDS else v for k, v in printed.items()}


def read_truth(path: Path) -> list[TruthRecord]:
    with open(path, encoding="utf-8") as fh:
        return [TruthRecord(**json.loads(line)) for line in fh if line.strip()]


@dataclass
class _Item:
    record: RecordData
    folder: str
    render_seed: int
    layout: str | None = None
    security: bool = False
    font: str | None = None  # None: the renderer chooses
    duplicate_of: int | None = None  # item index of the original (duplicate_record)


@dataclass
class _FileJob:
    rel_name: str
    fmt: str
    profile: str
    capture: str
    items: list[tuple[int, _Item]]
    seed: int
    copy_of: str | None = None  # duplicate_file: relative name of the original


def _edge_count(records: int) -> int:
    return min(records // 4, max(len(EDGE_CASES), records // 10))


def _weighted(rng: random.Random, options: Sequence[str], weights: dict[str, float]) -> str:
    return rng.choices(list(options), weights=[weights.get(o, 1.0) for o in options])[0]


def _file_name(rng: random.Random, n: int, ext: str, capture: str, doc_type: str | None) -> str:
    r = rng.random()
    if capture == "photo" and r < 0.6:
        return f"IMG_{20240000 + n * 7:08d}.{ext}"
    if r < 0.75:
        return f"scan-{n:04d}.{ext}"
    named = {"birth_certificate": "Giấy khai sinh", "resident_info_form": "Phiếu DC01",
             "marriage_certificate": "Kết hôn"}.get(doc_type or "", "Bản scan")
    return f"{named} {n:04d}.{ext}"


def generate_inbox(
    out_dir: Path,
    records: int,
    seed: int = 0,
    wards: list[str] | None = None,
    formats: Sequence[str] = FORMATS,
    profiles: Sequence[str] = PROFILES,
    captures: Sequence[str] = CAPTURES,
    security_paper_share: float = 0.3,
    edge_cases: bool = True,
    workers: int = 1,
    fonts: Sequence[str] = (),
) -> list[TruthRecord]:
    """Write `records` expected records into `out_dir` and return their truth (also written
    to `<out_dir>.truth.jsonl`). Deterministic: the same arguments give the same bytes.

    `fonts` (names of `samples.render.HELD_OUT_FONTS`): each record is typed in one of
    them instead of the generator's own fonts; everything else (records, layouts,
    degradations) is what the same seed gives without them."""
    out_dir = Path(out_dir)
    registry = WardRegistry.load(None)
    codes = list(wards) if wards else registry.codes()
    for c in codes:
        if c not in registry:
            raise ValueError(f"unknown ward code {c!r}")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"formats must be among {FORMATS}")
    for name in fonts:
        family = HELD_OUT_FONTS.get(name)
        if family is None:
            raise ValueError(f"unknown held-out font {name!r}: one of {sorted(HELD_OUT_FONTS)}")
        if not Path(family.regular).exists():
            raise ValueError(f"{family.regular} is missing: install fonts-freefont-ttf and "
                             "fonts-dejavu-extra (make bench-fonts does)")
    rng = random.Random(f"inbox:{seed}")

    n_edge = _edge_count(records) if edge_cases else 0
    kinds: list[str] = []
    pool = list(EDGE_CASES)
    while len(kinds) < n_edge:
        rng.shuffle(pool)
        kinds.extend(pool)
    kinds = kinds[:n_edge]
    n_valid = records - n_edge
    if n_valid == 0:
        kinds = [k if not k.startswith("duplicate") else "missing_field" for k in kinds]
    if len(registry) < 2:
        kinds = [k if k != "ward_mismatch" else "invalid_id_sex" for k in kinds]

    items: list[_Item] = []
    for i in range(n_valid):
        folder = codes[i % len(codes)] if i < len(codes) else rng.choice(codes)
        ward = registry.get(folder)
        assert ward is not None
        rec = make_record(random.Random(f"{seed}:record:{i}"), ward, None, registry)
        items.append(_Item(rec, folder, rng.getrandbits(48)))
    singles_needed = sum(1 for k in kinds if k == "duplicate_file")
    edge_items: list[_Item] = []
    for j, kind in enumerate(kinds):
        r = random.Random(f"{seed}:edge:{j}")
        folder = rng.choice(codes)
        ward = registry.get(folder)
        assert ward is not None
        if kind == "blank_page":
            rec = blank_record(ward)
        elif kind == "unrelated_document":
            rec = unrelated_record(r, ward)
        elif kind == "duplicate_record":
            orig = rng.randrange(n_valid)
            rec = copy.deepcopy(items[orig].record)
            rec.edge_case = kind
            edge_items.append(_Item(rec, items[orig].folder, items[orig].render_seed,
                                    duplicate_of=orig))
            continue
        elif kind == "duplicate_file":
            continue  # realised as a byte copy below
        else:
            doc_ward = ward
            if kind == "ward_mismatch":
                doc_ward = r.choice([w for w in registry if w.code != folder])
            rec = make_record(r, doc_ward, None, registry)
            apply_edge_case(r, rec, kind, registry, folder)
        edge_items.append(_Item(rec, folder, rng.getrandbits(48)))

    # choose layout / security per item (the duplicates share their original's)
    for it in items + edge_items:
        dt = it.record.doc_type
        if dt is None or it.duplicate_of is not None:
            continue
        it.layout = rng.choice(LAYOUTS[dt])
        it.security = dt != "resident_info_form" and rng.random() < security_paper_share
    font_rng = random.Random(f"inbox:{seed}:fonts")  # its own stream: the rest is unchanged
    for it in items + edge_items:
        if fonts and it.duplicate_of is None:
            it.font = font_rng.choice(list(fonts))
    for it in edge_items:
        if it.duplicate_of is not None:
            it.layout, it.security = items[it.duplicate_of].layout, items[it.duplicate_of].security
            it.font = items[it.duplicate_of].font

    # group into files
    multi_formats = [f for f in formats if f in ("pdf", "tiff")]
    jobs: list[_FileJob] = []
    counter = 0
    order = sorted(range(len(items)), key=lambda i: items[i].folder)
    idx = 0
    single_valid: list[int] = []  # job indices holding one valid record (for duplicate_file)

    def new_job(group: list[tuple[int, _Item]], dup: bool = False) -> _FileJob:
        nonlocal counter
        counter += 1
        profile = _weighted(rng, profiles, PROFILE_WEIGHTS)
        capture = _weighted(rng, captures, CAPTURE_WEIGHTS)
        pages = sum(2 if it.layout == "two_pages" else 1 for _, it in group)
        if capture == "photo" and pages > 1:
            capture = "scan" if "scan" in captures else capture
        if pages > 1 and multi_formats:
            fmt = rng.choice(multi_formats)
        elif capture == "fax" and ("tiff" in formats or "pdf" in formats):
            fmt = "tiff" if "tiff" in formats else "pdf"
        elif capture == "photo" and "jpg" in formats:
            fmt = "jpg"
        else:
            fmt = rng.choice(list(formats))
        if pages > 1 and fmt not in ("pdf", "tiff"):  # only single-page formats allowed
            for _, it in group:
                if it.layout == "two_pages":
                    it.layout = "numbered"
        folder = group[0][1].folder
        ext = _EXT[fmt]
        name = (f"scan-lại-{counter:04d}.{ext}" if dup
                else _file_name(rng, counter, ext, capture, group[0][1].record.doc_type))
        return _FileJob(f"{folder}/{name}", fmt, profile, capture, group, rng.getrandbits(48))

    while idx < len(order):
        it = items[order[idx]]
        size = 1
        if multi_formats and rng.random() < 0.15 and len(single_valid) >= singles_needed:
            size = rng.randint(2, 3)
        group = [(order[idx], it)]
        k = idx + 1
        while len(group) < size and k < len(order) and items[order[k]].folder == it.folder:
            group.append((order[k], items[order[k]]))
            k += 1
        job = new_job(group)
        if len(group) == 1:
            single_valid.append(len(jobs))
        jobs.append(job)
        idx += len(group)
    base_index = len(items)
    for j, it in enumerate(edge_items):
        if it.duplicate_of is None:
            jobs.append(new_job([(base_index + j, it)]))
    # duplicates last (names sort after the originals, written after them)
    for j, it in enumerate(edge_items):
        if it.duplicate_of is not None:
            jobs.append(new_job([(base_index + j, it)], dup=True))
    n_copies = sum(1 for k in kinds if k == "duplicate_file")
    for _ in range(n_copies):
        if not single_valid:
            break
        orig = jobs[rng.choice(single_valid)]
        folder = orig.rel_name.split("/", 1)[0]
        counter += 1
        ext = orig.rel_name.rsplit(".", 1)[1]
        jobs.append(_FileJob(f"{folder}/scan-lại-{counter:04d}.{ext}", orig.fmt, orig.profile,
                             orig.capture, orig.items, orig.seed, copy_of=orig.rel_name))

    # where each item landed first (for duplicate_of)
    first_place: dict[int, str] = {}

    out_dir.mkdir(parents=True, exist_ok=True)
    for code in {j.rel_name.split("/", 1)[0] for j in jobs}:
        (out_dir / code).mkdir(parents=True, exist_ok=True)
    normal = [j for j in jobs if j.copy_of is None]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            results = list(ex.map(_build_file, [out_dir] * len(normal), normal))
    else:
        results = [_build_file(out_dir, j) for j in normal]
    truth: list[TruthRecord] = []
    by_name: dict[str, list[TruthRecord]] = {}
    for job, lines in zip(normal, results, strict=True):
        by_name[job.rel_name] = lines
        for (item_idx, _), line in zip(job.items, lines, strict=True):
            first_place.setdefault(item_idx, f"{line.source_name}#{line.record_index}")
    for job, lines in zip(normal, results, strict=True):
        for (_, it), line in zip(job.items, lines, strict=True):
            if it.duplicate_of is not None:
                line.duplicate_of = first_place[it.duplicate_of]
        truth.extend(lines)
    for job in jobs:
        if job.copy_of is None:
            continue
        shutil.copyfile(out_dir / job.copy_of, out_dir / job.rel_name)
        for line in by_name[job.copy_of]:
            dup = copy.deepcopy(line)
            dup.source_name = job.rel_name
            dup.expected_status = "duplicate"
            dup.edge_case = "duplicate_file"
            dup.duplicate_of = f"{line.source_name}#{line.record_index}"
            truth.append(dup)
    with open(truth_path(out_dir), "w", encoding="utf-8") as fh:
        for line in truth:
            fh.write(line.to_json() + "\n")
    return truth


def _build_file(out_dir: Path, job: _FileJob) -> list[TruthRecord]:
    images: list[Image.Image] = []
    dpis: list[int] = []
    lines: list[TruthRecord] = []
    page_no = 1
    dpi: int | None = None
    for k, (_, it) in enumerate(job.items):
        rec = it.record
        rendered = render_record(rec, random.Random(it.render_seed), layout=it.layout,
                                 font=it.font, security=it.security)
        applied = []
        for p, page in enumerate(rendered.pages):
            d = degrade(page, job.profile, job.capture, seed=job.seed * 31 + k * 7 + p, dpi=dpi)
            dpi = d.dpi
            images.append(d.image)
            dpis.append(d.dpi)
            applied.append(d.applied)
        n = len(rendered.pages)
        doc_ward = rec.ward_code if rec.ward_code is not None else rec.ward_name
        lines.append(TruthRecord(
            source_name=job.rel_name, record_index=k, pages=list(range(page_no, page_no + n)),
            ward=it.folder, doc_type=rec.doc_type, expected_status=rec.expected_status,
            fields=truth_fields(rec.fields), profile=job.profile, capture=job.capture,
            layout=rendered.layout, font=rendered.font, security_paper=rendered.security_paper,
            edge_case=rec.edge_case, document_ward=doc_ward if rec.doc_type else None,
            degradation=applied,
        ))
        page_no += n
    _save(out_dir / job.rel_name, job.fmt, images, dpis)
    return lines


def _save(path: Path, fmt: str, images: list[Image.Image], dpis: list[int]) -> None:
    dpi = dpis[0]
    if fmt == "pdf":
        fixed = time.gmtime(1735689600)  # 2025-01-01; Pillow stamps the current time otherwise
        images[0].save(path, "PDF", resolution=float(dpi), save_all=True,
                       append_images=images[1:], title="scan", creationDate=fixed,
                       modDate=fixed)
    elif fmt == "tiff":
        if all(im.mode == "1" for im in images):
            images[0].save(path, "TIFF", compression="group4", dpi=(dpi, dpi), save_all=True,
                           append_images=images[1:])
        else:
            imgs = [im.convert("L") if im.mode == "1" else im for im in images]
            imgs[0].save(path, "TIFF", compression="tiff_adobe_deflate", dpi=(dpi, dpi),
                         save_all=True, append_images=imgs[1:])
    elif fmt == "png":
        images[0].save(path, "PNG", dpi=(dpi, dpi), compress_level=3)
    else:
        im = images[0].convert("L") if images[0].mode == "1" else images[0]
        im.save(path, "JPEG", quality=85, dpi=(dpi, dpi))
