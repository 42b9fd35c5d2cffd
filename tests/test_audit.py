"""`digitize audit`: counts, targets, verify, repair, formats, read-only use, the HTML report.

The archive is built directly through `Archive` in a temporary LocalStore (no OCR: fast);
the records look like the pipeline's (flows/pipeline.py record_outcomes).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from flows import cli_audit
from flows.audit import build_report, repair, verify
from flows.cli_audit import audit_command
from schemas.records import business_key
from schemas.wards import WardRegistry
from storage.archive import Archive, SourceDrop, record_id_for, sha256_hex
from storage.objects import LocalStore, ObjectInfo, StoreAccessDenied

DAY1, DAY2 = "2025-03-03", "2025-03-04"


def birth_fields(n: int, ward: str = "phu-tan") -> dict[str, str]:
    # 074 Bình Dương, digit 4 = 0 (male, 1900s), digits 5-6 = 90 (born 1990).
    return {
        "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-12", "sex": "Nam",
        "ethnicity": "Kinh", "nationality": "Việt Nam",
        "place_of_birth": "Bệnh viện Đa khoa tỉnh Bình Dương",
        "personal_id": f"07409{n:07d}", "registration_number": f"{n}/1990",
        "registration_date": "1990-05-20", "ward": ward,
    }


class Builder:
    """Writes originals, drops and records the way the pipeline does."""

    _seq = count(1)  # shared by every builder: two builders never write the same record

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.n = 0

    def add(self, ward: str, status: str = "digitized", day: str = DAY1,
            doc_type: str | None = "birth_certificate", fields: dict[str, Any] | None = None,
            received_at: str | None = None) -> dict[str, Any]:
        self.n = next(self._seq)
        data = f"scan {self.n} of {ward}".encode()
        sha = sha256_hex(data)
        received_at = received_at or f"{day}T08:00:{self.n:02d}+00:00"
        drop = SourceDrop(sha, f"{ward}/scan-{self.n:04d}.pdf", ward, len(data), received_at)
        self.archive.secure_original(data, drop)
        rid = record_id_for(sha, 0)
        fields = fields if fields is not None else (
            birth_fields(self.n, ward) if doc_type else {}
        )
        record = {
            "record_id": rid, "source_sha256": sha, "source_name": drop.source_name,
            "ward_folder": ward, "day": day, "status": status,
            "reasons": [] if status == "digitized" else ["Giới tính: không đọc được"],
            "doc_type": doc_type, "pages": [1], "fields": fields,
            "confidence": dict.fromkeys(fields, 0.93), "document_ward": ward,
            "duplicate_of": None,
            "provenance": {"flow_run_id": "", "software_version": "0.1.0",
                           "schema_version": "1", "processed_at": received_at,
                           "received_at": received_at, "ocr_mean_conf": 91.0},
            "history": [],
        }
        if status == "digitized" and doc_type:
            bkey = business_key(doc_type, fields)
            assert bkey
            self.archive.claim_key(doc_type, bkey, rid, received_at + rid)
        self.archive.put_record(record)
        return record


WARDS = {"wards": [
    {"code": "phu-tan", "name": "Phú Tân", "city": "Thủ Dầu Một", "target": 4},
    {"code": "phu-loi", "name": "Phú Lợi", "city": "Thủ Dầu Một", "target": 10},
    {"code": "di-an", "name": "Dĩ An", "city": "Dĩ An"},
]}


@pytest.fixture
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    wards = tmp_path / "wards.json"
    wards.write_text(json.dumps(WARDS, ensure_ascii=False), encoding="utf-8")
    for key in ("DIGITIZE_S3_ENDPOINT", "DIGITIZE_S3_ACCESS_KEY", "DIGITIZE_S3_SECRET_KEY",
                "DIGITIZE_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DIGITIZE_STORE", str(root))
    monkeypatch.setenv("DIGITIZE_WARDS_FILE", str(wards))
    return root


@pytest.fixture
def archive(store_root: Path) -> Archive:
    return Archive(LocalStore(store_root))


@pytest.fixture
def filled(archive: Archive) -> dict[str, Any]:
    """phu-tan: 3 digitized (2 on day 1, 1 on day 2), 1 needs_review, 1 rejected;
    phu-loi: 1 digitized; di-an: nothing. Counters refreshed like the flow does."""
    b = Builder(archive)
    recs = {
        "a": b.add("phu-tan"), "b": b.add("phu-tan"), "c": b.add("phu-tan", day=DAY2),
        "review": b.add("phu-tan", "needs_review"),
        "rejected": b.add("phu-tan", "rejected", doc_type=None),
        "loi": b.add("phu-loi"),
    }
    archive.refresh_counters(["phu-tan", "phu-loi"])
    return recs


def cli() -> typer.Typer:
    # The way flows/cli.py registers it: app.command("audit")(audit_command).
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """digitize"""

    app.command("audit")(audit_command)
    return app


def run(*args: str) -> Any:
    return CliRunner().invoke(cli(), ["audit", *args])


# --------------------------------------------------------------------------- counts


def test_counts_per_ward_type_status_day_and_targets(archive: Archive, filled: dict) -> None:
    registry = WardRegistry.load(Path(os.environ["DIGITIZE_WARDS_FILE"]))
    report = build_report(archive, registry)
    by = {w.code: w for w in report.wards}
    assert [w.code for w in report.wards] == ["phu-tan", "phu-loi", "di-an"]
    assert by["phu-tan"].counts == {
        ("birth_certificate", "digitized", DAY1): 2,
        ("birth_certificate", "digitized", DAY2): 1,
        ("birth_certificate", "needs_review", DAY1): 1,
        ("unknown", "rejected", DAY1): 1,
    }
    assert by["phu-tan"].progress == pytest.approx(3 / 4)
    assert by["phu-loi"].progress == pytest.approx(1 / 10)
    assert by["di-an"].totals() == dict.fromkeys(
        ("digitized", "needs_review", "rejected", "duplicate"), 0)
    assert by["di-an"].progress is None  # no target

    day2 = build_report(archive, registry, day=DAY2)
    d2 = {w.code: w for w in day2.wards}
    assert d2["phu-tan"].counts == {("birth_certificate", "digitized", DAY2): 1}
    # progress is against the whole campaign, whatever day is shown
    assert d2["phu-tan"].digitized_total == 3


def test_json_shape(filled: dict) -> None:
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # {ward: {doc_type: {status: n}}}, the shape the first audit command had
    assert data["wards"]["phu-tan"]["birth_certificate"]["digitized"] == 3
    assert data["wards"]["phu-tan"]["unknown"]["rejected"] == 1
    assert data["wards"]["di-an"] == {}
    assert data["progress"]["phu-tan"] == {
        "name": "Phú Tân", "city": "Thủ Dầu Một", "in_registry": True, "target": 4,
        "digitized": 3, "progress": 0.75,
        "totals": {"digitized": 3, "needs_review": 1, "rejected": 1, "duplicate": 0},
    }
    assert {"ward": "phu-tan", "doc_type": "birth_certificate", "status": "digitized",
            "day": DAY2, "count": 1} in data["rows"]
    assert sum(r["count"] for r in data["rows"]) == 6


def test_csv_shape(filled: dict, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = run("--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["ward", "ward_name", "target", "doc_type", "status", "day",
                             "count"]
    keyed = {(r["ward"], r["doc_type"], r["status"], r["day"]): int(r["count"]) for r in rows}
    assert keyed[("phu-tan", "birth_certificate", "digitized", DAY1)] == 2
    assert keyed[("phu-tan", "birth_certificate", "digitized", DAY2)] == 1
    assert keyed[("phu-loi", "birth_certificate", "digitized", DAY1)] == 1
    assert keyed[("di-an", "", "", "")] == 0  # a registry ward without records is shown
    assert len(rows) == len(keyed) == 6


def test_table_shows_wards_and_progress(filled: dict) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert "Phú Tân" in result.stdout and "Dĩ An" in result.stdout
    assert "75.0%" in result.stdout


def test_bad_day_is_refused(filled: dict) -> None:
    result = run("--day", "2025-13-45")
    assert result.exit_code == 2


# --------------------------------------------------------------------------- verify / repair


def test_verify_clean_archive_passes(filled: dict) -> None:
    result = run("--verify", "--format", "json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)["verify"]
    assert verdict == {"ok": True, "records": 6, "originals": 6, "drifts": []}


def _kinds(archive: Archive) -> set[str]:
    return {d.kind for d in verify(archive).drifts}


def test_verify_detects_deleted_marker_and_repair_rebuilds_it(
    archive: Archive, filled: dict
) -> None:
    rid = filled["a"]["record_id"]
    (marker,) = archive.store.list(f"index/phu-tan/{rid}/")
    archive.store.delete(marker)
    result = run("--verify")
    assert result.exit_code == 1
    assert f"marker_missing: record {rid}" in result.output
    assert "count_mismatch" in result.output  # the index now counts one less than records
    # the message names ids and codes, never a field value
    assert filled["a"]["fields"]["personal_id"] not in result.output

    fixed = run("--repair")
    assert fixed.exit_code == 0, fixed.output
    assert archive.store.exists(marker)
    assert _kinds(archive) == set()


def test_verify_detects_stale_counter_snapshot(archive: Archive, filled: dict) -> None:
    b = Builder(archive)
    b.add("phu-loi")  # written, but the run "crashed" before refresh_counters
    result = run("--verify")
    assert result.exit_code == 1
    assert "counter_stale: counters/phu-loi.json birth_certificate/digitized: snapshot 1, " \
           "records 2" in result.output
    assert run("--repair").exit_code == 0
    assert archive.counters("phu-loi")["counts"]["birth_certificate"]["digitized"] == 2
    assert run("--verify").exit_code == 0


def test_verify_detects_orphan_and_stale_markers(archive: Archive, filled: dict) -> None:
    archive.store.put("index/phu-loi/ffffffffffffffff-00/birth_certificate.digitized."
                      + DAY1, b"")
    rid = filled["review"]["record_id"]
    archive.store.put(f"index/phu-tan/{rid}/birth_certificate.digitized.{DAY1}", b"")
    kinds = _kinds(archive)
    assert {"marker_orphan", "marker_stale", "count_mismatch"} <= kinds
    result = repair(archive)
    assert result.orphans_removed and rid in result.rewritten
    assert result.after.ok, result.after.drifts
    assert list(archive.store.list(f"index/phu-tan/{rid}/")) == [
        f"index/phu-tan/{rid}/birth_certificate.needs_review.{DAY1}"
    ]


def test_verify_detects_tampered_and_missing_original(archive: Archive, filled: dict) -> None:
    sha = filled["b"]["source_sha256"]
    archive.store.put(f"originals/{sha}", b"changed bytes")
    gone = filled["loi"]["source_sha256"]
    archive.store.delete(f"originals/{gone}")
    result = run("--verify")
    assert result.exit_code == 1
    assert f"original_hash_mismatch: originals/{sha} hashes to" in result.output
    assert filled["b"]["record_id"] in result.output
    assert f"original_missing: originals/{gone} is missing" in result.output
    # the bytes of an original cannot be recomputed: repair says so and still fails
    fixed = run("--repair")
    assert fixed.exit_code == 1
    assert "not repairable" in fixed.output


def test_two_digitized_records_with_one_business_key(archive: Archive, filled: dict) -> None:
    b = Builder(archive)
    first = filled["a"]
    # The same certificate scanned again in another ward, received later: a race between
    # two workers let both be digitized (each saw itself as the first claim).
    again = b.add("phu-loi", fields=dict(first["fields"]), received_at=f"{DAY2}T09:00:00+00:00")
    archive.refresh_counters(["phu-tan", "phu-loi"])
    result = run("--verify")
    assert result.exit_code == 1
    assert "duplicate_digitized: business key birth_certificate/" in result.output
    assert f"{first['record_id']}, {again['record_id']}" in result.output
    assert first["fields"]["personal_id"] not in result.output

    fixed = run("--repair")
    assert fixed.exit_code == 0, fixed.output
    kept, demoted = archive.get_record(first["record_id"]), archive.get_record(again["record_id"])
    assert kept["status"] == "digitized"  # earliest received keeps the key
    assert demoted["status"] == "duplicate"
    assert demoted["duplicate_of"]["record_id"] == first["record_id"]
    assert demoted["history"][-1]["action"] == "audit-repair-dedupe"
    assert archive.counters("phu-loi")["counts"]["birth_certificate"] == {
        "digitized": 1, "needs_review": 0, "rejected": 0, "duplicate": 1}
    assert run("--verify").exit_code == 0
    # idempotent
    assert repair(archive).demoted == []


def test_verify_detects_missing_claim(archive: Archive, filled: dict) -> None:
    rid = filled["c"]["record_id"]
    (claim,) = [k for k in archive.store.list("keys/") if k.endswith("/" + rid)]
    archive.store.delete(claim)
    assert "claim_missing" in _kinds(archive)
    assert repair(archive).claims_written == [rid]
    assert archive.store.exists(claim)


# --------------------------------------------------------------------------- read-only


class ReadOnlyStore:
    """A store with the auditor's rights: GET, HEAD and LIST; writes are denied."""

    def __init__(self, inner: LocalStore) -> None:
        self.inner = inner
        self.denied: list[str] = []

    def put(self, key: str, data: bytes | Path, content_type: str = "",
            metadata: Any = None) -> None:
        self.denied.append(key)
        raise StoreAccessDenied(f"read-only: put {key}")

    def delete(self, key: str) -> None:
        self.denied.append(key)
        raise StoreAccessDenied(f"read-only: delete {key}")

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def get_file(self, key: str, dest: Path) -> None:
        self.inner.get_file(key, dest)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def stat(self, key: str) -> ObjectInfo:
        return self.inner.stat(key)

    def list(self, prefix: str = "") -> Iterator[str]:
        return self.inner.list(prefix)

    def url_for(self, key: str) -> str:
        return self.inner.url_for(key)

    def describe(self) -> str:
        return "read-only " + self.inner.describe()


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html"])
def test_every_audit_but_repair_works_read_only(
    store_root: Path, filled: dict, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    ro = ReadOnlyStore(LocalStore(store_root))
    monkeypatch.setattr(cli_audit, "open_archive", lambda: Archive(ro))
    assert run("--format", fmt).exit_code == 0
    assert run("--format", fmt, "--verify").exit_code == 0
    assert run("--format", fmt, "--day", DAY1).exit_code == 0
    assert ro.denied == []
    refused = run("--repair")
    assert refused.exit_code == 2
    assert "store error" in refused.output and ro.denied


@pytest.mark.s3
def test_audit_with_read_only_s3_credentials(
    s3_server: Any, s3_store_settings: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    store_root: Path,
) -> None:
    from storage.objects import StoreSettings, open_store

    for k, v in s3_store_settings.items():
        monkeypatch.setenv(k, v)
    writer = Archive(open_store(StoreSettings()))
    b = Builder(writer)
    b.add("phu-tan")
    b.add("phu-tan", "needs_review")
    writer.refresh_counters(["phu-tan"])
    monkeypatch.setenv("DIGITIZE_S3_ACCESS_KEY", s3_server.readonly_access_key)
    monkeypatch.setenv("DIGITIZE_S3_SECRET_KEY", s3_server.readonly_secret_key)
    monkeypatch.setenv("DIGITIZE_S3_RETRY_SECONDS", "2")
    result = run("--verify", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["wards"]["phu-tan"]["birth_certificate"] == {
        "digitized": 1, "needs_review": 1, "rejected": 0, "duplicate": 0}
    for fmt in ("csv", "html", "table"):
        assert run("--format", fmt).exit_code == 0
    refused = run("--repair")
    assert refused.exit_code == 2, refused.output
    assert "denied" in refused.output


# --------------------------------------------------------------------------- HTML


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is needed to check the HTML report: "
                "apt-get install -y --no-install-recommends chromium", pytrace=False)


def _chromium_args(profile: Path) -> list[str]:
    return [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}"]


def test_html_report_renders_offline_in_chromium(filled: dict, tmp_path: Path) -> None:
    report = tmp_path / "audit.html"
    result = run("--format", "html", "--verify", "--output", str(report))
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    # self-contained: no URL at all, no script
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "<svg" in page and "<style>" in page

    dom = subprocess.run(
        [*_chromium_args(tmp_path / "profile"), "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert "Báo cáo kiểm đếm số hóa hộ tịch" in rendered  # Vietnamese heading
    assert "Civil records digitization audit" in rendered  # English heading
    for name in ("Phú Tân", "Phú Lợi", "Dĩ An"):
        assert name in rendered
    # each ward's row shows its digitized count; the chart its count against the target
    assert '<tr data-ward="phu-tan"><td>phu-tan</td><td>Phú Tân</td>' in rendered
    assert '<td class="n digitized">3</td>' in rendered
    assert '<td class="n digitized">1</td>' in rendered
    assert "3 / 4 (75%)" in rendered and "1 / 10 (10%)" in rendered
    assert 'id="verdict">Khớp / consistent' in rendered

    png = tmp_path / "audit.png"
    shot = subprocess.run(
        [*_chromium_args(tmp_path / "profile2"), f"--screenshot={png}",
         "--window-size=1200,900", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
