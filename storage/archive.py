"""The archive: where every byte of the pipeline lands, under one key layout.

Layout (docs/storage.md explains why):

    originals/<sha256>                          the clerk's file, bytes as dropped
    sources/<sha256>/<source_id>.json           one drop of that file (name, ward, time, outcome)
    pages/<sha256>/<page>.png                   cleaned page image
    pages/<sha256>/<page>.pdf                   that page as a searchable PDF (Tesseract's)
    text/<sha256>/<page>.json                   OCR words, lines and confidences of that page
    records/<record_id>.json                    record JSON with provenance: the ground truth
    searchable/<record_id>.pdf                  the record's pages joined: one searchable PDF
    index/<ward>/<record_id>/<type>.<status>.<day>  empty marker per record: what counters count
    keys/<doc_type>/<key_hash>/<record_id>      business-key claims, for deduplication
    review-keys/<doc_type>/<key_hash>/<record_id>  the same for records read with doubts
    quarantine/<source_id>.json                 inputs that could not be read, with the reason
    counters/<ward>.json                        counter snapshot, recomputed from the index

Keys are deterministic (content hash, source name hash, record index), so a
rerun after a crash overwrites what it wrote before instead of adding to it:
nothing is lost and nothing is counted twice.

Several processes may write at once, and the store has no conditional PUT. Who owns a
content (its first drop) and who owns a business key (the earliest claim) are decided from
listings, which a concurrent writer can change just after they are read. So each run ends
by settling what it touched (`settle_content`, `settle_key`): it re-lists the drops and
claims, recomputes the owners from what is stored (a pure function of the stored objects,
so every process agrees), promotes or demotes records accordingly, rewrites their index
markers, and only then recounts the counters. The last run to finish sees every drop and
claim, so the stored state converges on the same answer whatever the interleaving.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from storage.objects import (
    _TMP_PREFIX,
    COPY_CHUNK,
    ObjectNotFound,
    ObjectStore,
    write_atomically,
)
from storage.scratch import use_process_scratch

STATUSES = ("digitized", "needs_review", "rejected", "duplicate")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """`sha256_hex` of a file's bytes, read in pieces."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@dataclass(frozen=True)
class Received:
    """A clerk's file copied into this process's scratch: what was hashed is what is kept,
    even if the file in the inbox changes or goes afterwards."""

    path: Path
    sha256: str
    size: int


def receive(stream: BinaryIO) -> Received:
    """Copy `stream` (an inbox file opened by the intake) into this process's scratch,
    hashing it on the way: one pass, a piece at a time, whatever the file's size."""
    folder = use_process_scratch() / "received"
    folder.mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while piece := stream.read(COPY_CHUNK):
                digest.update(piece)
                out.write(piece)
                size += len(piece)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Received(Path(name), digest.hexdigest(), size)


def source_id(source_name: str) -> str:
    """Stable id of one drop: the path relative to the inbox (ward folder included)."""
    return hashlib.sha256(source_name.encode("utf-8")).hexdigest()[:16]


def record_id_for(sha: str, index: int) -> str:
    return f"{sha[:16]}-{index:02d}"


def duplicate_record_id(sha: str, source_name: str) -> str:
    return f"{sha[:16]}-d{source_id(source_name)[:8]}"


def rejected_record_id(sha: str, source_name: str) -> str:
    """A file refused before its content could be read: one record per drop, since many
    different drops share the same (often empty) content."""
    return f"{sha[:16]}-r{source_id(source_name)[:8]}"


def drop_order(drop: dict[str, Any]) -> tuple[str, str]:
    """Which drop of a content is the first: earliest received, then by name hash."""
    return (drop["received_at"], source_id(drop["source_name"]))


MSG_ALREADY_SUBMITTED = "Tệp này đã được nộp trước đó / This file was already submitted"
MSG_ALREADY_DIGITIZED = (
    "Hồ sơ này đã được số hóa từ tệp khác / This record was already digitized from another file"
)
MSG_ALREADY_IN_REVIEW = (
    "Hồ sơ này đã có từ tệp khác, đang chờ kiểm tra / "
    "This record came already from another file, which is waiting for review"
)


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


def _drop_fields(drop: SourceDrop) -> dict[str, Any]:
    """What a drop's marker says of the drop itself (its outcome comes later)."""
    return {"sha256": drop.sha256, "source_name": drop.source_name, "ward": drop.ward,
            "size": drop.size, "received_at": drop.received_at}


def _join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF from several (poppler's pdfunite: text layers and images kept as they are)."""
    if len(parts) == 1:
        return parts[0]
    with tempfile.TemporaryDirectory(prefix="join-") as tmp:
        names = []
        for i, part in enumerate(parts):
            name = os.path.join(tmp, f"{i:04d}.pdf")
            with open(name, "wb") as f:
                f.write(part)
            names.append(name)
        out = os.path.join(tmp, "joined.pdf")
        subprocess.run(["pdfunite", *names, out], check=True, capture_output=True, timeout=120)
        with open(out, "rb") as f:
            return f.read()


# A process keeps at most this many originals in its cache, the newest used: a long-lived
# one (a Dask worker) would otherwise keep every original it ever read. Far above the
# pages in flight (twice the OCR workers), so a page's original is not trimmed while it
# is being read; and a trimmed one is fetched again.
CACHED_ORIGINALS = 32


def _trim_cache(cache: Path, keep: int) -> None:
    used: list[tuple[float, Path]] = []
    for path in cache.iterdir():
        if path.name.startswith(_TMP_PREFIX):  # a write in progress (write_atomically)
            continue
        try:
            used.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    for _, path in sorted(used, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


class Archive:
    """Record-level operations on an object store. The only writer of pipeline data."""

    def __init__(self, store: ObjectStore, cache_dir: Path | None = None) -> None:
        self.store = store
        # None: a folder in this process's scratch (storage/scratch). Two runs on one host
        # (two `serve` workers, a run beside a review) never remove each other's cached
        # original, and a killed run's copies go with its scratch folder: a shared
        # `<tmp>/digitize-originals` kept them forever.
        self._cache_dir = cache_dir

    # --- originals and drops ---------------------------------------------------------------

    def secure_original(self, data: bytes | Path, drop: SourceDrop) -> bool:
        """Store the original (once per content) and the drop marker. True if content was new.
        `data`: the bytes, or a local file holding them (sent in pieces)."""
        key = f"originals/{drop.sha256}"
        is_new = not self.store.exists(key)
        if is_new:
            metadata = {
                "source-name": drop.source_name,
                "ward": drop.ward,
                "received-at": drop.received_at,
                "sha256": drop.sha256,
            }
            self.store.put(key, data, metadata=metadata)
        existing = self.drop_marker(drop.sha256, drop.source_id)
        if existing is None:
            self._put_json(f"sources/{drop.sha256}/{drop.source_id}.json",
                           {**_drop_fields(drop), "state": "secured"})
        return is_new

    def original(self, sha: str) -> bytes:
        """The original's bytes, through a local cache so page tasks do not refetch them."""
        return self.original_file(sha).read_bytes()

    def original_file(self, sha: str) -> Path:
        """The original as a local file (the cache), fetched and hash-checked once: page
        tasks hand it to poppler instead of copying a large PDF for every page."""
        cache = self._cache()
        cached = cache / sha
        try:
            os.utime(cached)  # the newest used: the last to be trimmed
            return cached
        except FileNotFoundError:
            pass
        # Two tasks of one process may fetch the same original (a file and its copy): each
        # writes its own temporary file (a shared one was read empty, measured).
        fd, name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=cache)
        os.close(fd)
        fetched = Path(name)
        try:
            self.store.get_file(f"originals/{sha}", fetched)
            if file_sha256(fetched) != sha:
                raise OSError(f"original {sha[:12]} does not match its hash")
            os.replace(fetched, cached)
        finally:
            fetched.unlink(missing_ok=True)
        _trim_cache(cache, keep=CACHED_ORIGINALS)
        return cached

    def keep_cached(self, received: Received) -> None:
        """Make a file just received the cached copy of its original (moved, not copied):
        the pages read next in this process need not fetch what it has just stored."""
        cache = self._cache()
        try:
            os.replace(received.path, cache / received.sha256)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # a cache folder on another file system (DIGITIZE_CACHE_DIR): copied whole
            write_atomically(cache / received.sha256, received.path, durable=False)
            received.path.unlink()
        _trim_cache(cache, keep=CACHED_ORIGINALS)

    def forget_cached(self, sha: str) -> None:
        (self._cache() / sha).unlink(missing_ok=True)

    def _cache(self) -> Path:
        cache = self._cache_dir or use_process_scratch() / "originals"
        cache.mkdir(parents=True, exist_ok=True)
        return cache

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
        return min(drops, key=drop_order)

    def finish_drop(self, drop: SourceDrop, outcome: dict[str, Any]) -> None:
        # A marker gone meanwhile (a store emptied under a running batch) is written whole
        # again: a marker without its drop's name and time breaks every later settling.
        marker = self.drop_marker(drop.sha256, drop.source_id) or _drop_fields(drop)
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

    def put_page(self, sha: str, number: int, png: bytes, text: dict[str, Any],
                 pdf: bytes | None = None) -> None:
        self.store.put(f"pages/{sha}/{number:04d}.png", png, content_type="image/png")
        if pdf is not None:
            self.store.put(f"pages/{sha}/{number:04d}.pdf", pdf, content_type="application/pdf")
        self._put_json(f"text/{sha}/{number:04d}.json", text)

    def put_searchable_pdf(self, record_id: str, sha: str, pages: list[int]) -> str | None:
        """Join the record's page PDFs into `searchable/<record_id>.pdf`; its key, or None
        when none of its pages has one (blank or unreadable pages)."""
        parts = []
        for n in pages:
            try:
                parts.append(self.store.get(f"pages/{sha}/{n:04d}.pdf"))
            except ObjectNotFound:
                continue  # a blank or unreadable page has none
        if not parts:
            return None
        key = f"searchable/{record_id}.pdf"
        self.store.put(key, _join_pdfs(parts), content_type="application/pdf")
        return key

    def page_image_key(self, sha: str, number: int) -> str:
        return f"pages/{sha}/{number:04d}.png"

    def page_text(self, sha: str, number: int) -> dict[str, Any] | None:
        return self._get_json(f"text/{sha}/{number:04d}.json")

    # --- records, index and claims ----------------------------------------------------------

    def put_record(self, record: dict[str, Any], former_ward: str | None = None) -> None:
        """Write the record, then its index marker; drop the marker of a former state (and of
        a former ward, when the record moved to another drop's ward)."""
        self._put_json(f"records/{record['record_id']}.json", record)
        self._put_marker(record)
        if former_ward and former_ward != record["ward_folder"]:
            for key in list(self.store.list(f"index/{former_ward}/{record['record_id']}/")):
                self.store.delete(key)

    def _put_marker(self, record: dict[str, Any]) -> None:
        rid = record["record_id"]
        prefix = f"index/{record['ward_folder']}/{rid}/"
        marker = prefix + index_marker(record)
        self.store.put(marker, b"")
        for key in list(self.store.list(prefix)):
            if key != marker:
                self.store.delete(key)

    def delete_record(self, record: dict[str, Any]) -> None:
        rid = record["record_id"]
        for key in list(self.store.list(f"index/{record['ward_folder']}/{rid}/")):
            self.store.delete(key)
        self.store.delete(f"records/{rid}.json")

    def get_record(self, rid: str) -> dict[str, Any] | None:
        return self._get_json(f"records/{rid}.json")

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for key in self.store.list("records/"):
            record = self._get_json(key)
            if record is not None:
                yield record

    @staticmethod
    def key_hash(doc_type: str, business_key: str) -> str:
        return hashlib.sha256(f"{doc_type}|{business_key}".encode()).hexdigest()[:32]

    def claim_key(self, doc_type: str, business_key: str, rid: str, claimed_at: str) -> str:
        """Claim a business key for a record; return the record id that owns it (the first),
        as far as the claims can be listed now (`settle_key` settles it for good)."""
        key_hash = self.key_hash(doc_type, business_key)
        self.store.put(f"keys/{doc_type}/{key_hash}/{rid}", claimed_at.encode())
        claims = self.claims(doc_type, key_hash)
        return claims[0][1] if claims else rid

    def claim_key_in_review(self, doc_type: str, business_key: str, rid: str,
                            claimed_at: str) -> None:
        """Note that a record sent to review was read with this business key: the same record
        again (a second scan) is a duplicate of it, not a second item in the review queue.
        Such claims never take a key from a digitized record (`settle_key`)."""
        key_hash = self.key_hash(doc_type, business_key)
        self.store.put(f"review-keys/{doc_type}/{key_hash}/{rid}", claimed_at.encode())

    def claims(self, doc_type: str, key_hash: str, *, review: bool = False
               ) -> list[tuple[str, str]]:
        """(claimed_at, record_id) of every claim on a business key, earliest first (`review`:
        the claims of records sent to review)."""
        prefix = f"{'review-keys' if review else 'keys'}/{doc_type}/{key_hash}/"
        found = []
        for key in self.store.list(prefix):
            try:
                found.append((self.store.get(key).decode(), key.rsplit("/", 1)[1]))
            except ObjectNotFound:
                continue
        return sorted(found)

    # --- settling after concurrent writers ------------------------------------------------

    def settle_content(self, sha: str) -> set[str]:
        """Make one content's records agree with its drops, as stored now: the first drop owns
        the content's records (their source and ward are its own), every other drop has a
        `duplicate` record, the first has none. Returns the wards whose counts may change."""
        drops = self.drops_of(sha)
        content: list[dict[str, Any]] = []
        dups: dict[str, dict[str, Any]] = {}
        for key in list(self.store.list(f"records/{sha[:16]}-")):
            rid = key.removeprefix("records/").removesuffix(".json")
            record = self.get_record(rid)
            if record is None or record.get("source_sha256") != sha:
                continue
            tail = rid[17:]
            if tail.isdigit():
                content.append(record)
            elif tail.startswith("d"):
                dups[record["source_name"]] = record
        if not drops or not content:
            return set()  # unreadable content, or its owner has not written it yet
        owner = min(drops, key=drop_order)
        touched: set[str] = set()
        for record in content:
            former = record["ward_folder"]
            if record["source_name"] != owner["source_name"] or former != owner["ward"]:
                record["source_name"], record["ward_folder"] = owner["source_name"], owner["ward"]
                record["provenance"] = {**record.get("provenance", {}),
                                        "received_at": owner["received_at"]}
                self.put_record(record, former_ward=former)
                touched |= {former, owner["ward"]}
            else:
                self._put_marker(record)
        if owner["source_name"] in dups:
            self.delete_record(dups.pop(owner["source_name"]))
            touched.add(owner["ward"])
        template = content[0]
        for drop in drops:
            if drop is owner:
                continue
            rid = duplicate_record_id(sha, drop["source_name"])
            record = dups.get(drop["source_name"]) or {
                "source_sha256": sha, "day": template["day"], "history": [],
                "provenance": {**template.get("provenance", {}),
                               "received_at": drop["received_at"]},
                "record_id": rid, "doc_type": None, "pages": [], "fields": {},
                "confidence": {}, "document_ward": None,
                "source_name": drop["source_name"], "ward_folder": drop["ward"],
                "status": "duplicate", "reasons": [MSG_ALREADY_SUBMITTED],
            }
            wanted = {"source_sha256": sha, "source_name": owner["source_name"]}
            if drop["source_name"] not in dups or record.get("duplicate_of") != wanted:
                record["duplicate_of"] = wanted
                self.put_record(record)
                touched.add(drop["ward"])
                if drop.get("state") == "done" and drop.get("record_ids") != [rid]:
                    drop.update(record_ids=[rid], statuses=["duplicate"])
                    self._put_json(f"sources/{sha}/{source_id(drop['source_name'])}.json", drop)
            else:
                self._put_marker(record)
        return touched

    def settle_key(self, doc_type: str, key_hash: str) -> set[str]:
        """Make the records claiming one business key agree with the claims, as stored now:
        the earliest claim is `digitized`, the others are `duplicate` of it; then the records
        sent to review with that key (`_settle_review_claims`)."""
        claims = self.claims(doc_type, key_hash)
        if not claims:
            return self._settle_review_claims(doc_type, key_hash, None, {})
        owner_rid = claims[0][1]
        owner = self.get_record(owner_rid) or {}
        touched: set[str] = set()
        for _, rid in claims:
            record = self.get_record(rid)
            if record is None:
                continue  # its writer has not got there yet; it settles when it finishes
            natural = record.get("claim") or {}
            if rid == owner_rid and record["status"] == "duplicate" and natural:
                record["status"] = natural.get("status", "digitized")
                record["reasons"] = natural.get("reasons", [])
                record["duplicate_of"] = None
            elif rid != owner_rid and record["status"] == "digitized":
                record["status"] = "duplicate"
                record["reasons"] = [MSG_ALREADY_DIGITIZED]
                record["duplicate_of"] = {"record_id": owner_rid,
                                          "source_name": owner.get("source_name")}
            elif (rid != owner_rid and record["status"] == "duplicate"
                  and (record.get("duplicate_of") or {}).get("record_id") not in (None, owner_rid)):
                record["duplicate_of"] = {"record_id": owner_rid,
                                          "source_name": owner.get("source_name")}
            else:
                self._put_marker(record)
                continue
            self.put_record(record)
            touched.add(record["ward_folder"])
        return touched | self._settle_review_claims(doc_type, key_hash, owner_rid, owner)

    def _settle_review_claims(self, doc_type: str, key_hash: str, owner_rid: str | None,
                              owner: dict[str, Any]) -> set[str]:
        """Records sent to review that were read with a key another record holds: the key's
        digitized owner if there is one, else the earliest of them. The others are
        `duplicate` of it (RECORDS.md: the same record again); one that is the owner again,
        or whose key is no longer claimed, gets its own review back."""
        review = []
        for _, rid in self.claims(doc_type, key_hash, review=True):
            record = self.get_record(rid)
            natural = (record or {}).get("claim") or {}
            # not written yet, or no longer what it was read as (approved, rejected by a clerk)
            if record is not None and natural.get("status") == "needs_review" and record[
                    "status"] in ("needs_review", "duplicate"):
                review.append((rid, record, natural))
        if not review:
            return set()
        message = MSG_ALREADY_DIGITIZED
        if owner_rid is None:
            owner_rid, owner, _ = review[0]
            message = MSG_ALREADY_IN_REVIEW
        touched: set[str] = set()
        for rid, record, natural in review:
            if rid == owner_rid and record["status"] == "duplicate":
                record["status"] = "needs_review"
                record["reasons"] = natural.get("reasons", [])
                record["duplicate_of"] = None
            elif rid != owner_rid and (
                    record["status"] == "needs_review" or record["reasons"] != [message]
                    or (record.get("duplicate_of") or {}).get("record_id") != owner_rid):
                record["status"] = "duplicate"
                record["reasons"] = [message]
                record["duplicate_of"] = {"record_id": owner_rid,
                                          "source_name": owner.get("source_name")}
            else:
                continue
            self.put_record(record)
            touched.add(record["ward_folder"])
        return touched

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

    # --- audit and review (added for issues 5 and 6) ---
    # Read-only helpers first (an auditor with GET/LIST-only credentials uses them), then the
    # one writer the repair needs. None of them changes the key layout above.

    def iter_record_objects(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """(key, record) for every stored record; record is None when the JSON is unreadable,
        so that an audit can report a corrupt object instead of dying on it."""
        for key in self.store.list("records/"):
            try:
                value = json.loads(self.store.get(key))
            except ObjectNotFound:
                continue  # deleted between listing and reading
            except (ValueError, UnicodeDecodeError):
                value = None
            yield key, value if isinstance(value, dict) else None

    def iter_index_keys(self) -> Iterator[str]:
        return self.store.list("index/")

    def remove_index_key(self, key: str) -> None:
        """Delete one index marker (repair of a marker whose record does not exist)."""
        if not key.startswith("index/"):
            raise ValueError(f"not an index marker: {key!r}")
        self.store.delete(key)

    def iter_claim_keys(self) -> Iterator[str]:
        return self.store.list("keys/")

    def iter_source_keys(self) -> Iterator[str]:
        return self.store.list("sources/")

    def iter_originals(self) -> Iterator[tuple[str, str]]:
        """(sha256 named by the key, sha256 of the bytes), one original on disk at a time.
        Reads the store directly: the local cache of `original()` would hide a tampered
        object and would write, which an auditor's credentials may not allow anyway."""
        with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
            fetched = Path(tmp) / "original"
            for key in self.store.list("originals/"):
                try:
                    self.store.get_file(key, fetched)
                except ObjectNotFound:
                    continue
                yield key.split("/", 1)[1], file_sha256(fetched)

    def counter_wards(self) -> list[str]:
        return sorted(
            key.split("/", 1)[1].removesuffix(".json")
            for key in self.store.list("counters/")
            if key.endswith(".json")
        )
