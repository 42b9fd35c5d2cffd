"""End to end through Prefect: scans dropped in ward folders become stored, counted records.

Real Tesseract, a real Prefect API server (the test harness), real files from the
sample generator, and both stores: a local folder and the Swift S3 test server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import digitize_inbox, runtime
from samples.compare import all_fields_equal, match
from samples.generate import TruthRecord, generate_inbox, read_truth, truth_path
from schemas.vocab import fold

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _truth(inbox: Path) -> list[TruthRecord]:
    return read_truth(truth_path(inbox))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small mixed inbox: all three types, several wards and formats, clean and light scans,
    a multi-record file and the edge cases (copied file, invalid ID, blank page...)."""
    out = tmp_path_factory.mktemp("inbox")
    generate_inbox(out, records=8, seed=11, wards=["phu-tan", "an-phu", "di-an"],
                   profiles=("clean", "light"), captures=("scan",))
    return out


def _inbox_files(inbox: Path) -> list[Path]:
    return [p for p in inbox.rglob("*") if p.is_file()]


def _export(runner: CliRunner) -> list[dict]:
    result = runner.invoke(app, ["export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def _check_run(inbox: Path) -> None:
    truth = _truth(inbox)
    summary = digitize_inbox(str(inbox))
    assert summary.failed == []

    runner = CliRunner()
    exported = _export(runner)
    # Nothing is lost: every expected record has exactly one outcome, with reasons.
    assert len(exported) == len(truth)
    pairs = match(truth, exported)
    for t, r in pairs:
        assert r is not None, f"no outcome for {t.source_name}#{t.record_index}"
        assert r["ward"] == t.ward
        if r["status"] != "digitized":
            assert r["reasons"], f"{r['record_id']} has no reason"
    # Never a wrong record counted: what is digitized is right in every field, and what
    # must not be counted (invalid, blank, unrelated, copies) is not.
    for t, r in pairs:
        if r["status"] == "digitized":
            assert t.expected_status == "digitized", (t.edge_case, r["record_id"])
            assert all_fields_equal(t, r), r["record_id"]
        if t.expected_status in ("rejected", "duplicate"):
            assert r["status"] == t.expected_status, (t.edge_case, r["record_id"], r["reasons"])
    assert sum(r["status"] == "digitized" for _, r in pairs) >= 1

    # The ward's counters say exactly what the records say.
    audit = runner.invoke(app, ["audit", "--format", "json"])
    assert audit.exit_code == 0, audit.output
    counted = json.loads(audit.output)["wards"]
    for status in ("digitized", "needs_review", "rejected", "duplicate"):
        per_ward = Counter({w: sum(row[status] for row in types.values())
                            for w, types in counted.items()})
        assert +per_ward == Counter(r["ward"] for r in exported if r["status"] == status)
    verify = runner.invoke(app, ["audit", "--verify", "--format", "json"])
    assert verify.exit_code == 0, verify.output

    # A second run over the same inbox records nothing new and counts nothing twice.
    again = digitize_inbox(str(inbox))
    assert again.already_done == len(_inbox_files(inbox))
    assert again.counts == {}
    assert _export(runner) == exported


def test_local_store_end_to_end(inbox: Path, tmp_path: Path, use_store) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    _check_run(inbox)
    # Each distinct content is stored once, however many times it was dropped.
    stored = set(runtime().archive.store.list("originals/"))
    assert len(stored) == len({p.read_bytes() for p in _inbox_files(inbox)})
    # Each typed record is also a searchable PDF: its pages, with the text layer the
    # first reading wrote (pdftotext finds the person's name in it).
    archive = runtime().archive
    digitized = [r for r in _export(CliRunner()) if r["status"] == "digitized"]
    for exported in digitized:
        record = archive.get_record(exported["record_id"])
        key = record["searchable_pdf"]
        pdf = archive.store.get(key)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()
        name = next(v for k, v in record["fields"].items() if k.endswith("name") and v)
        assert fold(name.split()[-1]) in fold(text), (key, name)
        pages = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
        assert f"Pages:           {len(record['pages'])}" in pages.stdout.decode()


@pytest.mark.s3
def test_s3_store_end_to_end(inbox: Path, s3_store_settings: dict[str, str], use_store) -> None:
    use_store(s3_store_settings)
    _check_run(inbox)
    archive = runtime().archive
    assert any(True for _ in archive.store.list("originals/"))


def test_unreadable_file_is_rejected_with_reason(tmp_path: Path, use_store) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    inbox = tmp_path / "inbox"
    (inbox / "phu-tan").mkdir(parents=True)
    (inbox / "phu-tan" / "notes.jpg").write_text("this is not an image")
    (inbox / "phu-tan" / "empty.pdf").write_bytes(b"")
    (inbox / "not-a-ward").mkdir()
    shutil.copy(Path(__file__).parent / "data" / "tess_phototest.tif",
                inbox / "not-a-ward" / "page.tif")
    summary = digitize_inbox(str(inbox))
    assert summary.failed == []
    exported = {r["source_name"]: r for r in _export(CliRunner())}
    assert set(exported) == {"phu-tan/notes.jpg", "phu-tan/empty.pdf", "not-a-ward/page.tif"}
    for record in exported.values():
        assert record["status"] == "rejected"
        assert record["reasons"] and all(len(r) > 10 for r in record["reasons"])


def test_a_second_scan_of_a_record_in_review_is_held_as_its_duplicate(
        inbox: Path, tmp_path: Path, use_store) -> None:
    # One certificate scanned twice (other bytes) and dropped in another ward's folder: both
    # readings go to review (the ward on the document is not the folder's), and the clerk
    # finds one of them in the queue, the other linked to it as a duplicate.
    from PIL import Image

    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    truth = _truth(inbox)
    one = next(t for t in truth if t.expected_status == "digitized" and t.ward != "an-phu"
               and Path(t.source_name).suffix in (".png", ".tif", ".jpg")
               and sum(u.source_name == t.source_name for u in truth) == 1)
    drops = tmp_path / "drops"
    (drops / "an-phu").mkdir(parents=True)
    scan = Image.open(inbox / one.source_name)
    scan.save(drops / "an-phu" / "scan-a.png")
    scan.convert("RGB").save(drops / "an-phu" / "scan-b.tif", compression="tiff_lzw")
    assert digitize_inbox(str(drops)).failed == []
    exported = {r["source_name"]: r for r in _export(CliRunner())}
    statuses = sorted(r["status"] for r in exported.values())
    assert statuses == ["duplicate", "needs_review"], [r["reasons"] for r in exported.values()]
    kept = next(r for r in exported.values() if r["status"] == "needs_review")
    held = next(r for r in exported.values() if r["status"] == "duplicate")
    assert any("waiting for review" in reason for reason in held["reasons"]), held["reasons"]
    record = runtime().archive.get_record(held["record_id"])
    assert record["duplicate_of"]["record_id"] == kept["record_id"]
