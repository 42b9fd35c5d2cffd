"""The auditor's logic: counts per ward, progress against targets, verify and repair.

No printing here (flows/cli_audit.py presents). Three sources of truth are compared:

- the stored records (`records/<id>.json`): the ground truth;
- the index markers (`index/<ward>/<id>/<type>.<status>.<day>`): what counters count;
- the counter snapshots (`counters/<ward>.json`): what was last published.

`report` and `verify` only read (GET and LIST), so they work with the auditor's read-only
credentials; `repair` is the only function that writes. Drift messages name record ids,
ward codes, object keys and hashes, never a field value (no personal data in an auditor's
terminal or in a CI log).
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemas.records import business_key
from schemas.wards import WardRegistry
from storage.archive import STATUSES, Archive, index_marker, utc_now

CountKey = tuple[str, str, str]  # (doc_type, status, day)

DEDUPE_REASON = (
    "Hồ sơ này đã được số hóa từ tệp khác / "
    "This record was already digitized from another file"
)


# --- counts and progress ------------------------------------------------------------------


@dataclass
class WardCounts:
    code: str
    name: str | None
    city: str | None
    target: int | None
    in_registry: bool
    counts: Counter[CountKey] = field(default_factory=Counter)  # filtered by `day` if given
    digitized_total: int = 0  # all days: progress is against the whole campaign

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for (_doc, status, _day), n in self.counts.items():
            out[status] = out.get(status, 0) + n
        return out

    def by_doc_type(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for (doc, status, _day), n in sorted(self.counts.items()):
            table.setdefault(doc, dict.fromkeys(STATUSES, 0))
            table[doc][status] = table[doc].get(status, 0) + n
        return table

    @property
    def progress(self) -> float | None:
        if not self.target:
            return None
        return self.digitized_total / self.target


@dataclass
class AuditReport:
    generated_at: str
    day: str | None
    wards: list[WardCounts]
    verification: Verification | None = None

    def to_json(self) -> dict[str, Any]:
        # "wards" keeps the shape of the first `digitize audit --format json`
        # ({ward: {doc_type: {status: n}}}) so existing consumers keep working.
        out: dict[str, Any] = {
            "generated_at": self.generated_at,
            "day": self.day,
            "wards": {w.code: w.by_doc_type() for w in self.wards},
            "progress": {
                w.code: {
                    "name": w.name,
                    "city": w.city,
                    "in_registry": w.in_registry,
                    "target": w.target,
                    "digitized": w.digitized_total,
                    "progress": None if w.progress is None else round(w.progress, 4),
                    "totals": w.totals(),
                }
                for w in self.wards
            },
            "rows": [
                {"ward": w.code, "doc_type": d, "status": s, "day": day, "count": n}
                for w in self.wards
                for (d, s, day), n in sorted(w.counts.items())
            ],
        }
        if self.verification is not None:
            out["verify"] = self.verification.to_json()
        return out


def build_report(archive: Archive, registry: WardRegistry, day: str | None = None) -> AuditReport:
    """Counts per ward from the index markers (a LIST per ward), registry wards included."""
    if day is not None:
        date.fromisoformat(day)  # ValueError on a bad --day, before any listing
    codes = list(registry.codes()) + [
        w for w in archive.wards_in_index() if w not in registry
    ]
    wards = []
    for code in codes:
        known = registry.get(code)
        all_days = archive.count_ward(code)
        wards.append(
            WardCounts(
                code=code,
                name=known.name if known else None,
                city=known.city if known else None,
                target=known.target if known else None,
                in_registry=known is not None,
                counts=Counter(
                    {k: n for k, n in all_days.items() if day is None or k[2] == day}
                ),
                digitized_total=sum(n for k, n in all_days.items() if k[1] == "digitized"),
            )
        )
    return AuditReport(generated_at=utc_now(), day=day, wards=wards)


# --- verify --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    kind: str  # stable code, e.g. "marker_missing"; tests and scripts match on it
    message: str  # English, ids/codes/hashes only
    ward: str | None = None
    record_id: str | None = None
    key: str | None = None  # the object key concerned, when there is one
    repairable: bool = True

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Verification:
    records: int = 0
    originals: int = 0
    drifts: list[Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drifts

    def kinds(self) -> Counter[str]:
        return Counter(d.kind for d in self.drifts)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "originals": self.originals,
            "drifts": [d.to_json() for d in self.drifts],
        }


@dataclass
class _Scan:
    """What one pass over the store found; kept small (ids and hashes, no record bodies)."""

    expected: dict[str, tuple[str, str]] = field(default_factory=dict)  # rid -> (ward, marker)
    indexed: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # rid -> ward -> mks
    record_counts: dict[str, Counter[CountKey]] = field(default_factory=dict)
    # claim folder -> [(received_at, rid)] of digitized records with that business key
    digitized_keys: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    claims: set[tuple[str, str, str]] = field(default_factory=set)  # (doc_type, hash, rid)
    wards: set[str] = field(default_factory=set)


def _scan(archive: Archive, verification: Verification) -> _Scan:
    scan = _Scan()
    drifts = verification.drifts
    source_shas: dict[str, list[str]] = defaultdict(list)  # sha -> record ids made from it

    for key, record in archive.iter_record_objects():
        rid_from_key = key.removeprefix("records/").removesuffix(".json")
        if record is None:
            drifts.append(Drift("record_unreadable", f"{key}: not a JSON record object",
                                record_id=rid_from_key, key=key, repairable=False))
            continue
        verification.records += 1
        rid = record.get("record_id")
        ward = record.get("ward_folder")
        status = record.get("status")
        if rid != rid_from_key or not ward or status not in STATUSES or not record.get("day"):
            drifts.append(Drift(
                "record_malformed",
                f"{key}: record_id, ward_folder, status or day missing or inconsistent",
                ward=ward, record_id=rid_from_key, key=key, repairable=False,
            ))
            continue
        marker = index_marker(record)
        scan.expected[rid] = (ward, marker)
        scan.wards.add(ward)
        doc_type, _, day = marker.split(".", 2)
        scan.record_counts.setdefault(ward, Counter())[(doc_type, status, day)] += 1
        sha = record.get("source_sha256")
        if sha:
            source_shas[sha].append(rid)
        else:
            drifts.append(Drift("record_without_source", f"record {rid} has no source_sha256",
                                ward=ward, record_id=rid, repairable=False))
        if status == "digitized" and record.get("doc_type"):
            bkey = business_key(record["doc_type"], record.get("fields") or {})
            if bkey is None:
                drifts.append(Drift(
                    "digitized_without_key",
                    f"record {rid} is digitized but its business-key fields are empty",
                    ward=ward, record_id=rid, repairable=False,
                ))
            else:
                folder = (record["doc_type"], Archive.key_hash(record["doc_type"], bkey))
                received = (record.get("provenance") or {}).get("received_at") or ""
                scan.digitized_keys.setdefault(folder, []).append((received, rid))

    for key in archive.iter_index_keys():
        parts = key.split("/")
        if len(parts) != 4 or parts[3].count(".") != 2:
            drifts.append(Drift("index_malformed", f"{key}: not index/<ward>/<id>/<marker>",
                                key=key))
            continue
        _, ward, rid, marker = parts
        scan.wards.add(ward)
        scan.indexed.setdefault(rid, {}).setdefault(ward, []).append(marker)

    for key in archive.iter_claim_keys():
        parts = key.split("/")
        if len(parts) == 4:
            scan.claims.add((parts[1], parts[2], parts[3]))

    # Originals: hash each one (streamed), then every record and drop must point at one.
    originals: set[str] = set()
    for named, actual in archive.iter_originals():
        verification.originals += 1
        originals.add(named)
        if named != actual:
            made = source_shas.get(named, [])
            drifts.append(Drift(
                "original_hash_mismatch",
                f"originals/{named} hashes to {actual[:16]}…: the stored bytes changed"
                + (f" (records made from it: {', '.join(sorted(made))})" if made else ""),
                key=f"originals/{named}", repairable=False,
            ))
    for sha, rids in sorted(source_shas.items()):
        if sha not in originals:
            drifts.append(Drift(
                "original_missing",
                f"originals/{sha} is missing (records {', '.join(sorted(rids))})",
                record_id=sorted(rids)[0], key=f"originals/{sha}", repairable=False,
            ))
    for key in archive.iter_source_keys():
        sha = key.split("/")[1]
        if sha not in originals:
            drifts.append(Drift("original_missing", f"{key}: drop of a missing original",
                                key=key, repairable=False))
    return scan


def verify(archive: Archive, registry: WardRegistry | None = None) -> Verification:
    """Recount everything from the records and compare; read-only."""
    verification = Verification()
    scan = _scan(archive, verification)
    drifts = verification.drifts

    # Record <-> index marker, one record at a time.
    for rid, (ward, marker) in sorted(scan.expected.items()):
        found = scan.indexed.get(rid, {})
        markers = found.get(ward, [])
        if not markers:
            drifts.append(Drift("marker_missing",
                                f"record {rid}: index/{ward}/{rid}/{marker} is missing",
                                ward=ward, record_id=rid))
        elif markers != [marker]:
            drifts.append(Drift(
                "marker_stale",
                f"record {rid}: index says {', '.join(sorted(markers))}, record says {marker}",
                ward=ward, record_id=rid,
            ))
        for other in sorted(set(found) - {ward}):
            drifts.append(Drift("marker_wrong_ward",
                                f"record {rid} of ward {ward} is also indexed under {other}",
                                ward=other, record_id=rid))
    for rid, by_ward in sorted(scan.indexed.items()):
        if rid not in scan.expected:
            for ward, markers in sorted(by_ward.items()):
                drifts.append(Drift(
                    "marker_orphan",
                    f"index/{ward}/{rid}/ has {len(markers)} marker(s) but no record {rid}",
                    ward=ward, record_id=rid,
                ))

    # Index counts (what `audit` shows) and counter snapshots against the records.
    wards = sorted(scan.wards | set(archive.counter_wards()))
    for ward in wards:
        truth = scan.record_counts.get(ward, Counter())
        counted = archive.count_ward(ward)
        for k in sorted(set(truth) | set(counted)):
            if truth[k] != counted[k]:
                drifts.append(Drift(
                    "count_mismatch",
                    f"ward {ward} {'/'.join(k)}: index counts {counted[k]}, records {truth[k]}",
                    ward=ward,
                ))
        expected_table = _table(truth)
        snapshot = archive.counters(ward)
        if snapshot is None:
            if expected_table:
                drifts.append(Drift("counter_missing", f"counters/{ward}.json is missing",
                                    ward=ward, key=f"counters/{ward}.json"))
            continue
        stored_table = _table_from_snapshot(snapshot.get("counts") or {})
        for doc in sorted(set(expected_table) | set(stored_table)):
            for status in STATUSES:
                want = expected_table.get(doc, {}).get(status, 0)
                have = stored_table.get(doc, {}).get(status, 0)
                if want != have:
                    drifts.append(Drift(
                        "counter_stale",
                        f"counters/{ward}.json {doc}/{status}: snapshot {have}, records {want}",
                        ward=ward, key=f"counters/{ward}.json",
                    ))

    # One business key, one digitized record; and that record holds its claim.
    for (doc_type, key_hash), holders in sorted(scan.digitized_keys.items()):
        holders.sort()
        if len(holders) > 1:
            ids = ", ".join(rid for _, rid in holders)
            drifts.append(Drift(
                "duplicate_digitized",
                f"business key {doc_type}/{key_hash[:12]} has {len(holders)} digitized "
                f"records: {ids}",
                ward=scan.expected[holders[0][1]][0], record_id=holders[0][1],
            ))
        for _, rid in holders:
            if (doc_type, key_hash, rid) not in scan.claims:
                drifts.append(Drift(
                    "claim_missing",
                    f"record {rid}: business-key claim keys/{doc_type}/{key_hash}/{rid} missing",
                    ward=scan.expected[rid][0], record_id=rid,
                ))
    # A ward folder outside the registry is not drift (the flow keeps such inputs, rejected,
    # with a reason); the report shows it with in_registry false.
    return verification


def _table(counts: Counter[CountKey]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for (doc, status, _day), n in counts.items():
        if n:
            table.setdefault(doc, {})[status] = table.get(doc, {}).get(status, 0) + n
    return table


def _table_from_snapshot(counts: dict[str, Any]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for doc, row in counts.items():
        for status, n in (row or {}).items():
            if n:
                table.setdefault(doc, {})[status] = int(n)
    return table


# --- repair --------------------------------------------------------------------------------


@dataclass
class RepairResult:
    demoted: list[str] = field(default_factory=list)  # record ids turned into duplicates
    rewritten: list[str] = field(default_factory=list)  # records whose marker was rebuilt
    orphans_removed: list[str] = field(default_factory=list)  # index keys deleted
    claims_written: list[str] = field(default_factory=list)  # record ids
    counters_refreshed: list[str] = field(default_factory=list)  # ward codes
    after: Verification = field(default_factory=Verification)

    def to_json(self) -> dict[str, Any]:
        return {
            "demoted": self.demoted,
            "rewritten": self.rewritten,
            "orphans_removed": self.orphans_removed,
            "claims_written": self.claims_written,
            "counters_refreshed": self.counters_refreshed,
            "after": self.after.to_json(),
        }


def repair(
    archive: Archive, registry: WardRegistry | None = None, by: str = "audit"
) -> RepairResult:
    """Make the index, the claims and the snapshots agree with the records, then verify.

    Run it while no flow is writing (it is idempotent: run it again if one was). What it
    cannot repair (a changed or missing original, an unreadable record) is left in
    `after.drifts` for a person: the bytes of an original cannot be recomputed.
    """
    result = RepairResult()
    scan = _scan(archive, Verification())

    # 1. Every digitized record holds its claim (written as the pipeline writes it:
    #    received_at + record id), so that the claims alone can decide who keeps a key.
    for (doc_type, key_hash), holders in sorted(scan.digitized_keys.items()):
        for received, rid in holders:
            if (doc_type, key_hash, rid) in scan.claims:
                continue
            record = archive.get_record(rid) or {}
            bkey = business_key(doc_type, record.get("fields") or {})
            if bkey is not None:
                archive.claim_key(doc_type, bkey, rid, received + rid)
                scan.claims.add((doc_type, key_hash, rid))
                result.claims_written.append(rid)

    # 2. One digitized record per business key: the earliest claim keeps it, the others
    #    become duplicates. That is the order `Archive.settle_key` applies after each run, so
    #    a later run does not undo the repair; for records the pipeline digitized it is the
    #    earliest received_at, then record id (their claim time is received_at + id).
    for (doc_type, key_hash), holders in sorted(scan.digitized_keys.items()):
        if len(holders) < 2:
            continue
        order = {rid: i for i, (_, rid) in enumerate(archive.claims(doc_type, key_hash))}
        holders.sort(key=lambda h: (order.get(h[1], len(order)), h))
        keeper = holders[0][1]
        keeper_record = archive.get_record(keeper) or {}
        for _, rid in holders[1:]:
            record = archive.get_record(rid)
            if record is None:
                continue
            before = {"status": record["status"], "duplicate_of": record.get("duplicate_of")}
            record["status"] = "duplicate"
            record["reasons"] = [DEDUPE_REASON]
            record["duplicate_of"] = {
                "record_id": keeper, "source_name": keeper_record.get("source_name"),
            }
            record.setdefault("history", []).append({
                "at": utc_now(), "by": by, "action": "audit-repair-dedupe",
                "before": before,
                "after": {"status": "duplicate", "duplicate_of": record["duplicate_of"]},
            })
            archive.put_record(record)
            scan.expected[rid] = (record["ward_folder"], index_marker(record))
            result.demoted.append(rid)

    # 3. Index markers: rewrite each record whose markers differ (put_record writes the
    #    right one and deletes the others), delete markers of records that do not exist.
    demoted = set(result.demoted)
    for rid, (ward, marker) in sorted(scan.expected.items()):
        if rid in demoted:
            continue
        found = scan.indexed.get(rid, {})
        if found == {ward: [marker]}:
            continue
        record = archive.get_record(rid)
        if record is None:
            continue
        archive.put_record(record)
        for other in set(found) - {ward}:
            for m in found[other]:
                archive.remove_index_key(f"index/{other}/{rid}/{m}")
        result.rewritten.append(rid)
    for rid, by_ward in sorted(scan.indexed.items()):
        if rid in scan.expected:
            continue
        for ward, markers in sorted(by_ward.items()):
            for m in markers:
                key = f"index/{ward}/{rid}/{m}"
                archive.remove_index_key(key)
                result.orphans_removed.append(key)

    # 4. Snapshots, recomputed from the (now right) index, for every ward that has or had any.
    wards = sorted(scan.wards | set(archive.counter_wards()))
    archive.refresh_counters(wards)
    result.counters_refreshed = wards

    result.after = verify(archive, registry)
    return result


# --- presentation formats that are data, not terminal output -------------------------------


CSV_COLUMNS = ("ward", "ward_name", "target", "doc_type", "status", "day", "count")


def to_csv(report: AuditReport) -> str:
    """One row per ward/doc_type/status/day; a ward without records gets one row of 0."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for w in report.wards:
        rows = sorted(w.counts.items())
        if not rows:
            writer.writerow([w.code, w.name or "", w.target or "", "", "", "", 0])
        for (doc, status, day), n in rows:
            writer.writerow([w.code, w.name or "", w.target or "", doc, status, day, n])
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2rem;
color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}
.en{color:#57606a;font-weight:normal}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#f6f8fa}
.ok{color:#1a7f37}.bad{color:#cf222e}
svg text{font-size:12px;font-family:inherit}
.meta{color:#57606a;font-size:.85rem}
@media print{body{margin:1cm}}
"""


def _chart(report: AuditReport) -> str:
    """Inline SVG: one bar per ward, digitized against target (or the largest count)."""
    row_h, label_w, bar_w, right_w = 24, 190, 460, 150
    scale = max(
        [w.target or 0 for w in report.wards] + [w.digitized_total for w in report.wards] + [1]
    )
    height = row_h * len(report.wards) + 10
    parts = [
        f'<svg role="img" aria-label="Tiến độ số hóa / Digitization progress" '
        f'width="{label_w + bar_w + right_w}" height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + right_w} {height}">'
    ]
    for i, w in enumerate(report.wards):
        y = 5 + i * row_h
        name = html.escape(w.name or w.code)
        done = w.digitized_total
        width = bar_w * done / scale
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" '
                     f'fill="#eaeef2"/>')
        if w.target:
            target_w = bar_w * w.target / scale
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{target_w:.1f}" '
                         f'height="16" fill="#d8e6f5"/>')
        parts.append(f'<rect class="bar" data-ward="{html.escape(w.code)}" x="{label_w}" '
                     f'y="{y + 3}" width="{width:.1f}" height="16" fill="#1f6feb"/>')
        label = f"{done}" + (f" / {w.target} ({w.progress:.0%})" if w.target else "")
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: AuditReport) -> str:
    """One self-contained page: inline CSS and SVG, no script, no external URL."""
    e = html.escape
    title = "Báo cáo kiểm đếm số hóa hộ tịch / Civil records digitization audit"
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        "<h1>Báo cáo kiểm đếm số hóa hộ tịch "
        '<span class="en">/ Civil records digitization audit</span></h1>',
        f'<p class="meta">Lập lúc / generated at {e(report.generated_at)}'
        + (f" · Ngày / day {e(report.day)}" if report.day else "")
        + "</p>",
        '<h2>Tiến độ theo phường <span class="en">/ Progress per ward '
        "(digitized vs target)</span></h2>",
        _chart(report),
        '<h2>Tổng hợp theo phường <span class="en">/ Totals per ward</span></h2>',
        '<table id="totals"><thead><tr><th>Mã / code</th><th>Phường / ward</th>'
        '<th>Thành phố / city</th>'
        + "".join(f'<th class="n">{s}</th>' for s in STATUSES)
        + '<th class="n">Chỉ tiêu / target</th><th class="n">Tiến độ / progress</th>'
        "</tr></thead><tbody>",
    ]
    for w in report.wards:
        totals = w.totals()
        progress = f"{w.progress:.1%}" if w.progress is not None else "–"
        out.append(
            f'<tr data-ward="{e(w.code)}"><td>{e(w.code)}</td><td>{e(w.name or "?")}</td>'
            f"<td>{e(w.city or '')}</td>"
            + "".join(f'<td class="n {s}">{totals[s]}</td>' for s in STATUSES)
            + f'<td class="n">{w.target if w.target else "–"}</td>'
            f'<td class="n">{progress}</td></tr>'
        )
    out.append("</tbody></table>")
    out.append('<h2>Chi tiết theo loại giấy tờ, trạng thái và ngày '
               '<span class="en">/ By document type, status and day</span></h2>')
    out.append('<table id="detail"><thead><tr><th>Phường / ward</th>'
               "<th>Loại / document type</th><th>Trạng thái / status</th>"
               '<th>Ngày / day</th><th class="n">Số hồ sơ / records</th></tr></thead><tbody>')
    for w in report.wards:
        for (doc, status, day), n in sorted(w.counts.items()):
            out.append(f"<tr><td>{e(w.code)}</td><td>{e(doc)}</td><td>{e(status)}</td>"
                       f'<td>{e(day)}</td><td class="n">{n}</td></tr>')
    out.append("</tbody></table>")
    v = report.verification
    if v is not None:
        verdict = (
            '<p class="ok" id="verdict">Khớp / consistent'
            if v.ok
            else f'<p class="bad" id="verdict">Sai lệch / drift: {len(v.drifts)}'
        )
        out.append('<h2>Kiểm tra lại từ hồ sơ lưu trữ <span class="en">/ Verification '
                   "from the stored records</span></h2>")
        out.append(f"{verdict} · {v.records} records, {v.originals} originals</p>")
        if v.drifts:
            out.append("<ul>" + "".join(
                f"<li><code>{e(d.kind)}</code> {e(d.message)}</li>" for d in v.drifts
            ) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)

