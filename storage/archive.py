"""The archive: where every byte of the pipeline lands, under one key layout.

Layout (docs/storage.md explains why):

    originals/<sha256>                          the clerk's file, bytes as dropped
    sources/<sha256>/<source_id>.json           one drop of that file (name, ward, time, outcome)
    pages/<sha256>/<page>.png                   cleaned page image
    text/<sha256>/<page>.json                   OCR words, lines and confidences of that page
    records/<record_id>.json                    record JSON with provenance: the ground truth
    index/<ward>/<record_id>/<type>.<status>.<day>  empty marker per record: what counters count
    keys/<doc_type>/<key_hash>/<record_id>      business-key claims, for deduplication
    quarantine/<source_id>.json                 inputs that could not be read, with the reason
    counters/<ward>.json                        counter snapshot, recomputed from the index

Keys are deterministic (content hash, source name hash, record index), so a
rerun after a crash overwrites what it wrote before instead of adding to it:
nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.objects import ObjectNotFound, ObjectStore

STATUSES = ("digitized", "needs_review", "rejected", "duplicate")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_id(source_name: str) -> str:
    """Stable id of one drop: the path relative to the inbox (ward folder included)."""
    return hashlib.sha256(source_name.encode("utf-8")).hexdigest()[:16]


def record_id_for(sha: str, index: int) -> str:
    return f"{sha[:16]}-{index:02d}"


def duplicate_record_id(sha: str, source_name: str) -> str:
    return f"{sha[:16]}-d{source_id(source_name)[:8]}"


def index_marker(record: dict[str, Any]) -> str:
    """`<doc_type>.<status>.<day>`: all a counter needs, readable from a listing alone."""
    return f"{record.get('doc_type') or 'unknown'}.{record['status']}.{record['day']}"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class SourceDrop:
    """One file as a clerk dropped it: which content, under which name, in which ward."""

    sha256: str
    source_name: str  # relative to the inbox, e.g. "phu-tan/scan-0001.pdf"
    ward: str
    size: int
    received_at: str

    @property
    def source_id(self) -> str:
        return source_id(self.source_name)


class Archive:
    """Record-level operations on an object store. The only writer of pipeline data."""

    def __init__(self, store: ObjectStore, cache_dir: Path | None = None) -> None:
        self.store = store
        self._cache_dir = cache_dir or Path(tempfile.gettempdir()) / "digitize-originals"

    # --- originals and drops ---------------------------------------------------------------

    def secure_original(self, data: bytes, drop: SourceDrop) -> bool:
        """Store the original (once per content) and the drop marker. True if content was new."""
        key = f"originals/{drop.sha256}"
        is_new = not self.store.exists(key)
        if is_new:
            self.store.put(
                key,
                data,
                metadata={
                    "source-name": drop.source_name,
                    "ward": drop.ward,
                    "received-at": drop.received_at,
                    "sha256": drop.sha256,
                },
            )
        existing = self.drop_marker(drop.sha256, drop.source_id)
        if existing is None:
            self._put_json(
                f"sources/{drop.sha256}/{drop.source_id}.json",
                {
                    "sha256": drop.sha256,
                    "source_name": drop.source_name,
                    "ward": drop.ward,
                    "size": drop.size,
                    "received_at": drop.received_at,
                    "state": "secured",
                },
            )
        return is_new

    def original(self, sha: str) -> bytes:
        """The original's bytes, through a local cache so page tasks do not refetch them."""
        cached = self._cache_dir / sha
        if cached.exists():
            return cached.read_bytes()
        data = self.store.get(f"originals/{sha}")
        if sha256_hex(data) != sha:
            raise OSError(f"original {sha[:12]} does not match its hash")
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
        return data

    def forget_cached(self, sha: str) -> None:
        (self._cache_dir / sha).unlink(missing_ok=True)

    def drop_marker(self, sha: str, sid: str) -> dict[str, Any] | None:
        return self._get_json(f"sources/{sha}/{sid}.json")

    def drops_of(self, sha: str) -> list[dict[str, Any]]:
        drops = []
        for key in self.store.list(f"sources/{sha}/"):
            marker = self._get_json(key)
            if marker is not None:
                drops.append(marker)
        return drops

    def first_drop(self, sha: str) -> dict[str, Any] | None:
        """The drop that owns the content's records: earliest received, then by name."""
        drops = self.drops_of(sha)
        if not drops:
            return None
        return min(drops, key=lambda d: (d["received_at"], source_id(d["source_name"])))

    def finish_drop(self, drop: SourceDrop, outcome: dict[str, Any]) -> None:
        marker = self.drop_marker(drop.sha256, drop.source_id) or {}
        marker.update(outcome)
        marker["state"] = "done"
        marker["finished_at"] = utc_now()
        self._put_json(f"sources/{drop.sha256}/{drop.source_id}.json", marker)

    def iter_drops(self) -> Iterator[dict[str, Any]]:
        for key in self.store.list("sources/"):
            marker = self._get_json(key)
            if marker is not None:
                yield marker

    def quarantine(self, drop: SourceDrop, reason: str) -> None:
        self._put_json(
            f"quarantine/{drop.source_id}.json",
            {
                "source_name": drop.source_name,
                "ward": drop.ward,
                "sha256": drop.sha256,
                "reason": reason,
                "at": utc_now(),
            },
        )

    # --- pages ------------------------------------------------------------------------------

    def put_page(self, sha: str, number: int, png: bytes, text: dict[str, Any]) -> None:
        self.store.put(f"pages/{sha}/{number:04d}.png", png, content_type="image/png")
        self._put_json(f"text/{sha}/{number:04d}.json", text)

    def page_image_key(self, sha: str, number: int) -> str:
        return f"pages/{sha}/{number:04d}.png"

    def page_text(self, sha: str, number: int) -> dict[str, Any] | None:
        return self._get_json(f"text/{sha}/{number:04d}.json")

    # --- records, index and claims ----------------------------------------------------------

    def put_record(self, record: dict[str, Any]) -> None:
        """Write the record, then its index marker; drop the marker of a former state."""
        rid = record["record_id"]
        self._put_json(f"records/{rid}.json", record)
        prefix = f"index/{record['ward_folder']}/{rid}/"
        marker = prefix + index_marker(record)
        self.store.put(marker, b"")
        for key in list(self.store.list(prefix)):
            if key != marker:
                self.store.delete(key)

    def get_record(self, rid: str) -> dict[str, Any] | None:
        return self._get_json(f"records/{rid}.json")

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for key in self.store.list("records/"):
            record = self._get_json(key)
            if record is not None:
                yield record

    def claim_key(self, doc_type: str, business_key: str, rid: str, claimed_at: str) -> str:
        """Claim a business key for a record; return the record id that owns it (the first)."""
        key_hash = hashlib.sha256(f"{doc_type}|{business_key}".encode()).hexdigest()[:32]
        prefix = f"keys/{doc_type}/{key_hash}/"
        self.store.put(prefix + rid, claimed_at.encode())
        claims = []
        for key in self.store.list(prefix):
            owner = key.rsplit("/", 1)[1]
            try:
                at = self.store.get(key).decode()
            except ObjectNotFound:
                continue
            claims.append((at, owner))
        return min(claims)[1] if claims else rid

    # --- counters ---------------------------------------------------------------------------

    def count_ward(self, ward: str) -> Counter[tuple[str, str, str]]:
        """(doc_type, status, day) -> records, by listing the ward's index markers."""
        markers: dict[str, list[str]] = {}
        for key in self.store.list(f"index/{ward}/"):
            _, _, rid, marker = key.split("/")
            markers.setdefault(rid, []).append(marker)
        counts: Counter[tuple[str, str, str]] = Counter()
        for rid, found in markers.items():
            if len(found) > 1:
                # A crash between writing a new marker and deleting the old one leaves two;
                # the record itself says which is true, so nothing is counted twice.
                record = self.get_record(rid)
                if record is None:
                    continue
                found = [index_marker(record)]
            doc_type, status, day = found[0].split(".")
            counts[(doc_type, status, day)] += 1
        return counts

    def wards_in_index(self) -> list[str]:
        return sorted({key.split("/")[1] for key in self.store.list("index/")})

    def refresh_counters(self, wards: Iterable[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Recount the given wards from the index and store the snapshots."""
        snapshots = {}
        for ward in sorted(set(wards)):
            table: dict[str, dict[str, int]] = {}
            for (doc_type, status, _day), n in sorted(self.count_ward(ward).items()):
                table.setdefault(doc_type, dict.fromkeys(STATUSES, 0))[status] += n
            self._put_json(
                f"counters/{ward}.json", {"ward": ward, "counts": table, "at": utc_now()}
            )
            snapshots[ward] = table
        return snapshots

    def counters(self, ward: str) -> dict[str, Any] | None:
        return self._get_json(f"counters/{ward}.json")

    # --- plumbing ---------------------------------------------------------------------------

    def _put_json(self, key: str, value: Any) -> None:
        self.store.put(key, _dumps(value), content_type="application/json")

    def _get_json(self, key: str) -> Any:
        try:
            return json.loads(self.store.get(key))
        except ObjectNotFound:
            return None
