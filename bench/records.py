"""Benchmark the reading of records end to end against the generator's truth.

    .venv/bin/python -m bench.records [--records N] [--seed S] [--out DIR] [--reuse]
                                      [--rescore] [--show N] [--held-out-fonts]

Generates (or, with --reuse, reuses) a mixed inbox under DIR (default bench-out/records/):
`inbox-nN-sS/<ward>/<file>` with its truth beside it (`inbox-nN-sS.truth.jsonl`), runs
`digitize run` on it as a subprocess with DIGITIZE_STORE pointing to a fresh folder, exports
the records with `digitize export --format jsonl` and compares them with the truth:

- field exact-match per field and per degradation profile / capture / layout (normalized
  values on both sides; the truth's fields are normalized already);
- the status confusion matrix (truth `expected_status` against the result);
- digitized precision: the share of records marked digitized whose every field equals the
  truth (and that the truth expects digitized);
- the share of valid records (truth `digitized`) that end digitized;
- where each edge case landed;
- wrong values of records in review that no reason names (held by another field's doubt:
  they would be counted wrong if that doubt went).

--rescore skips OCR: it re-reads the OCR text stored by the last run (text/<sha>/<n>.json)
with the current `schemas.reading.read_records`, for quick iterations on extraction; the
records it reads are written to `rescored-nN-sS.jsonl` beside the run's results.

Records are matched by source name and record order (a record id ends with `-NN`, its index
in the file; a file duplicate has one record, which stands for every record of the file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from samples.compare import all_fields_equal, field_equal, field_names, match
from samples.generate import TruthRecord, generate_inbox, read_truth, truth_path
from samples.render import HELD_OUT_FONTS, HELD_OUT_MONO

STATUSES = ("digitized", "needs_review", "rejected", "duplicate", "missing")
ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------- running
def _digitize(args: list[str], env: dict[str, str], **kw: Any) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, **kw)


def run_pipeline(inbox: Path, store: Path, results: Path) -> float:
    if store.exists():
        shutil.rmtree(store)
    store.mkdir(parents=True)
    env = {**os.environ, "DIGITIZE_STORE": str(store.resolve())}
    env.pop("DIGITIZE_CONFIG", None)
    t0 = time.monotonic()
    proc = _digitize(["run", str(inbox.resolve())], env, stdout=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"digitize run failed with exit status {proc.returncode}")
    export(store, results)
    return elapsed


def export(store: Path, results: Path) -> None:
    env = {**os.environ, "DIGITIZE_STORE": str(store.resolve())}
    env.pop("DIGITIZE_CONFIG", None)
    proc = _digitize(["export", "--format", "jsonl", "--output", str(results.resolve())], env)
    if proc.returncode != 0:
        sys.exit(f"digitize export failed with exit status {proc.returncode}")


def rescore(store: Path, pages_of: dict[str, int]) -> list[dict[str, Any]]:
    """Re-read the stored OCR text with the current schemas (no OCR): export-like lines.

    Works from `sources/` and `text/`, so also on a run still going: a file is re-read once
    all its pages (`pages_of`: source name -> page count, from the truth) have text."""
    from flows.settings import PipelineSettings
    from ocr.text import page_from_dict
    from schemas.reading import read_records
    from schemas.wards import WardRegistry

    registry = WardRegistry.load(None)
    min_conf = PipelineSettings().min_confidence
    drops: list[tuple[str, str, str]] = []  # (source name, ward, sha)
    for marker in sorted((store / "sources").glob("*/*.json")):
        d = json.loads(marker.read_text(encoding="utf-8"))
        drops.append((d["source_name"], d["ward"], d["sha256"]))
    drops.sort()
    out: list[dict[str, Any]] = []
    claims: set[tuple[str, str]] = set()
    in_review: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for name, ward, sha in drops:
        n_pages = pages_of.get(name, 0)
        files = [store / "text" / sha / f"{n:04d}.json" for n in range(1, n_pages + 1)]
        if not n_pages or not all(f.exists() for f in files):
            continue
        if sha in seen:
            out.append({"record_id": f"{sha[:16]}-dup", "source_name": name, "pages": [],
                        "ward": ward, "doc_type": None, "status": "duplicate",
                        "fields": {}, "reasons": [], "duplicate_of": None})
            continue
        seen.add(sha)
        texts = [page_from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in files]
        readings = read_records(texts, ward, registry, date.today(), min_confidence=min_conf)
        for i, rd in enumerate(readings):
            status = str(rd.status)
            key = (str(rd.doc_type), rd.business_key or "")
            if status == "digitized" and rd.business_key:
                if key in claims:
                    status = "duplicate"
                claims.add(key)
            elif status == "needs_review" and rd.business_key:
                # as Archive.settle_key: a scan read with doubts whose key is already held
                # (counted, or waiting for review) is a duplicate (approximation in file order)
                if key in claims or key in in_review:
                    status = "duplicate"
                in_review.add(key)
            out.append({
                "record_id": f"{sha[:16]}-{i:02d}", "source_name": name,
                "pages": rd.page_numbers, "ward": ward,
                "doc_type": str(rd.doc_type) if rd.doc_type else None, "status": status,
                "fields": rd.fields, "reasons": rd.reasons, "duplicate_of": None,
            })
    return out


def _rate(ok: int, n: int) -> str:
    return f"{ok / n:6.3f}" if n else "     -"


def settle_reversed_copies(pairs: list[tuple[TruthRecord, dict[str, Any] | None]]
                           ) -> tuple[list[tuple[TruthRecord, dict[str, Any] | None]], int]:
    """The truth calls the later scan of a record the duplicate; the pipeline keeps the one
    it could digitize (or, in review, the one read first: pages are read concurrently) and
    marks the other a duplicate of it (`Archive.settle_key`). A pair so reversed is right:
    both scans are the same record, one counted. Its two truths trade expected statuses.
    Returns the pairs and how many were reversed."""
    by_ref = {f"{t.source_name}#{t.record_index}": (k, t, r) for k, (t, r) in enumerate(pairs)}
    out = list(pairs)
    reversed_ = 0
    for k, (t, r) in enumerate(pairs):
        first = by_ref.get(t.duplicate_of or "")
        if t.expected_status != "duplicate" or r is None or r["status"] == "duplicate" \
                or first is None:
            continue
        j, t0, r0 = first
        held_by = (r0 or {}).get("duplicate_of") or {}
        if r0 is None or r0["status"] != "duplicate" or not (
                held_by.get("record_id") == r["record_id"]
                or held_by.get("source_name") == t.source_name):
            continue
        out[k] = (replace(t, expected_status=t0.expected_status, duplicate_of=None), r)
        out[j] = (replace(t0, expected_status="duplicate",
                          duplicate_of=f"{t.source_name}#{t.record_index}"), r0)
        reversed_ += 1
    return out, reversed_


def hidden_misreadings(valid: list[tuple[TruthRecord, dict[str, Any] | None]]
                       ) -> list[tuple[TruthRecord, str, Any, Any]]:
    """The wrong values of valid records sent to review whose own field no reason names
    (a reason starts with the field's label): another field's doubt held the record, and a
    better reading of that field would count it wrong. Precision's hidden reserve."""
    from schemas.validate import FIELD_LABELS

    out = []
    for t, r in valid:
        if not r or r["status"] != "needs_review":
            continue
        for n in field_names(t, r):
            got = r["fields"].get(n)
            label = FIELD_LABELS.get(n, n)
            if (got is not None and not field_equal(t, r, n)
                    and not any(m.startswith(f"{label}:") for m in r.get("reasons", []))):
                out.append((t, n, t.fields.get(n), got))
    return out


def report(pairs: list[tuple[TruthRecord, dict[str, Any] | None]], show: int,
           reasons: bool = False) -> dict[str, Any]:
    pairs, reversed_ = settle_reversed_copies(pairs)
    if reversed_:
        print(f"{reversed_} pair(s) of copies settled the other way round (the later scan "
              "counted, the first marked its duplicate): scored as such")
    # only records whose fields are meant to be read: typed, and not a copy of another
    readable = [(t, r) for t, r in pairs
                if t.doc_type and t.expected_status != "duplicate"]
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    mismatches: list[tuple[TruthRecord, str, Any, Any]] = []
    for t, r in readable:
        names = field_names(t, r)
        ok_all = r is not None and r.get("doc_type") == t.doc_type
        paper = "security" if t.security_paper else "plain"
        # (issue 8's targets are per paper and profile)
        keys = (("profile", t.profile), ("capture", t.capture), ("layout", t.layout),
                ("paper", paper), ("paper/prof", f"{paper}/{t.profile}"), ("all", "all"),
                ("font", t.font.split(" + ")[0]))  # the labels' family
        for n in names:
            ok = r is not None and r.get("doc_type") == t.doc_type and field_equal(t, r, n)
            ok_all &= ok
            per_field[n][0] += ok
            per_field[n][1] += 1
            for g in keys:
                groups[g][0] += ok
                groups[g][1] += 1
            if not ok:
                got = (r or {}).get("fields", {}).get(n) if r else "<no record>"
                mismatches.append((t, n, t.fields.get(n), got))
        for g in keys:
            groups[g][2] += ok_all
            groups[g][3] += 1

    print("\n== Field exact-match per field (typed records, duplicates excluded)")
    print(f"{'field':28s} {'n':>5s} {'match':>6s}")
    for name in sorted(per_field):
        ok, n = per_field[name]
        print(f"{name:28s} {n:5d} {_rate(ok, n)}")

    print("\n== Field exact-match per group (fields | records with every field right)")
    print(f"{'group':10s} {'value':18s} {'fields':>6s} {'match':>6s} {'recs':>5s} {'all-ok':>6s}")
    for (g, v) in sorted(groups, key=lambda k: (k[0] != "all", k)):
        ok, n, rok, rn = groups[(g, v)]
        print(f"{g:10s} {v:18s} {n:6d} {_rate(ok, n)} {rn:5d} {_rate(rok, rn)}")

    print("\n== Status confusion (rows: truth expected_status, columns: result)")
    conf: dict[str, Counter[str]] = defaultdict(Counter)
    for t, r in pairs:
        conf[t.expected_status][r["status"] if r else "missing"] += 1
    print(f"{'truth':14s}" + "".join(f"{s:>14s}" for s in STATUSES))
    for s in STATUSES[:-1]:
        if s in conf:
            print(f"{s:14s}" + "".join(f"{conf[s][c]:14d}" for c in STATUSES))

    digitized = [(t, r) for t, r in pairs if r and r["status"] == "digitized"]
    good = [(t, r) for t, r in digitized
            if t.expected_status == "digitized" and all_fields_equal(t, r)]
    valid = [(t, r) for t, r in pairs if t.expected_status == "digitized"]
    valid_dig = [(t, r) for t, r in valid if r and r["status"] == "digitized"]
    precision = len(good) / len(digitized) if digitized else 1.0
    recall = len(valid_dig) / len(valid) if valid else 0.0
    print(f"\ndigitized precision: {precision:.4f} ({len(good)}/{len(digitized)})")
    print(f"valid records digitized: {recall:.4f} ({len(valid_dig)}/{len(valid)})")
    total_fields = sum(n for _, n in per_field.values())
    total_ok = sum(ok for ok, _ in per_field.values())
    print(f"field exact-match overall: {_rate(total_ok, total_fields).strip()} "
          f"({total_ok}/{total_fields})")

    print("\n== Edge cases (truth expected -> result)")
    edges: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for t, r in pairs:
        if t.edge_case:
            edges[(t.edge_case, t.expected_status)][r["status"] if r else "missing"] += 1
    for (kind, exp), cnt in sorted(edges.items()):
        landed = ", ".join(f"{s} {n}" for s, n in cnt.most_common())
        flag = "" if set(cnt) == {exp} else "   <-- off"
        print(f"{kind:24s} expected {exp:13s} got {landed}{flag}")

    hidden = hidden_misreadings(valid)
    print(f"wrong values no message names (held by another field's doubt): {len(hidden)}")

    bad = [(t, r) for t, r in digitized if (t, r) not in good]
    if bad:
        print("\n== WRONG DIGITIZED records")
        for t, r in bad:
            diff = [(n, t.fields.get(n), r["fields"].get(n)) for n in field_names(t, r)
                    if not field_equal(t, r, n)]
            print(f"  {t.source_name}#{t.record_index} [{t.profile}/{t.capture}/{t.layout}]"
                  f" expected {t.expected_status}: {diff}")
    if show:
        print(f"\n== First {show} field mismatches")
        for t, n, exp, got in mismatches[:show]:
            r = next((r for tt, r in pairs if tt is t), None)
            st = r["status"] if r else "missing"
            print(f"  {t.source_name}#{t.record_index} [{t.profile}/{t.capture}/{t.layout}"
                  f"{'/sec' if t.security_paper else ''}] {st} {n}: {exp!r} != {got!r}")
    if hidden:
        print("\n== Wrong values no message names (counted once the other doubt goes)")
        for t, n, exp, got in hidden:
            print(f"  {t.source_name}#{t.record_index} [{t.profile}/{t.capture}/{t.layout}]"
                  f" {n}: {exp!r} != {got!r}")
    if reasons:
        print("\n== Valid records not digitized: reasons (and the fields read wrong)")
        for t, r in valid:
            if r and r["status"] == "digitized":
                continue
            diff = [(n, t.fields.get(n), (r or {}).get("fields", {}).get(n))
                    for n in field_names(t, r) if r is None or not field_equal(t, r, n)]
            print(f"  {t.source_name}#{t.record_index} [{t.profile}/{t.capture}/{t.layout}"
                  f"{'/sec' if t.security_paper else ''}] {r['status'] if r else 'missing'}")
            for why in (r or {}).get("reasons", []):
                print(f"      - {why}")
            for n, exp, got in diff:
                print(f"      ! {n}: {exp!r} != {got!r}")
    return {"precision": precision, "valid_digitized": recall,
            "field_match": total_ok / total_fields if total_fields else 0.0}


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "records")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the generated inbox of the same size and seed if present")
    ap.add_argument("--rescore", action="store_true",
                    help="no OCR: re-read the OCR text stored by the last run")
    ap.add_argument("--show", type=int, default=0, help="print the first N field mismatches")
    ap.add_argument("--reasons", action="store_true",
                    help="print why each valid record was not digitized")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--held-out-fonts", action="store_true",
                    help="type every record in fonts the generator never uses (the same "
                         "records, layouts and degradations as the seed gives otherwise)")
    args = ap.parse_args(argv)

    tag = f"n{args.records}-s{args.seed}" + ("-heldout" if args.held_out_fonts else "")
    fonts = [f for f in sorted(HELD_OUT_FONTS) if f != HELD_OUT_MONO] if args.held_out_fonts else []
    inbox = args.out / f"inbox-{tag}"
    store = args.out / f"store-{tag}"
    results = args.out / f"results-{tag}.jsonl"
    tpath = truth_path(inbox)
    if args.rescore:
        if not store.exists():
            sys.exit(f"--rescore needs a previous run's store at {store}")
        pages_of: dict[str, int] = defaultdict(int)
        for t in read_truth(tpath):
            pages_of[t.source_name] = max([pages_of[t.source_name], *t.pages])
        lines = rescore(store, pages_of)
        rescored = results.with_name(f"rescored-{tag}.jsonl")
        rescored.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                            encoding="utf-8")
        print(f"re-read {len(lines)} records from the OCR text stored in {store} "
              f"(written to {rescored})")
    else:
        if not (args.reuse and inbox.is_dir() and tpath.exists()):
            if inbox.exists():
                shutil.rmtree(inbox)
            t0 = time.monotonic()
            generate_inbox(inbox, records=args.records, seed=args.seed, workers=args.workers,
                           fonts=fonts)
            print(f"generated {args.records} records in {inbox} "
                  f"({time.monotonic() - t0:.0f} s)")
        elapsed = run_pipeline(inbox, store, results)
        print(f"digitize run: {elapsed:.0f} s")
        with open(results, encoding="utf-8") as fh:
            lines = [json.loads(x) for x in fh if x.strip()]
    truth = read_truth(tpath)
    if args.rescore:  # a run still going (or cut short): judge the files it has finished
        done = {x["source_name"] for x in lines}
        truth = [t for t in truth if t.source_name in done]
    print(f"{len(truth)} truth records, {len(lines)} result records")
    report(match(truth, lines), args.show, args.reasons)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
