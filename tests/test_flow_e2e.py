"""End to end through Prefect: scans dropped in ward folders become stored, counted records.

Real Tesseract, a real Prefect API server (the test harness), real files from the
sample generator, and both stores: a local folder and the Swift S3 test server.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import digitize_inbox, runtime
from samples.generate import generate_inbox, truth_path

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _truth(inbox: Path) -> list[dict]:
    return [json.loads(line) for line in truth_path(inbox).read_text().splitlines()]


def _digitized_per_ward(truth: list[dict]) -> Counter[str]:
    return Counter(t["ward"] for t in truth if t["expected_status"] == "digitized")


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
    # Every expected record has exactly one outcome, found by its source and position.
    by_source: dict[str, list[dict]] = {}
    for line in exported:
        by_source.setdefault(line["source_name"], []).append(line)
    for t in truth:
        records = by_source.get(t["source_name"], [])
        assert records, f"no outcome for {t['source_name']}"
    assert len(exported) == len(truth)
    for line in exported:
        assert line["status"] in ("digitized", "needs_review", "rejected", "duplicate")
        assert line["ward"] == line["source_name"].split("/")[0]
        if line["status"] != "digitized":
            assert line["reasons"], f"{line['record_id']} has no reason"

    audit = runner.invoke(app, ["audit", "--format", "json"])
    assert audit.exit_code == 0, audit.output
    counted = json.loads(audit.output)["wards"]
    digitized = Counter(
        {ward: sum(row["digitized"] for row in types.values()) for ward, types in counted.items()}
    )
    assert +digitized == +_digitized_per_ward(truth)

    # A second run over the same inbox records nothing new and counts nothing twice.
    again = digitize_inbox(str(inbox))
    assert again.already_done == len(_inbox_files(inbox))
    assert again.counts == {}
    assert len(_export(runner)) == len(exported)


def test_local_store_end_to_end(inbox: Path, tmp_path: Path, use_store) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    _check_run(inbox)
    # Each distinct content is stored once, however many times it was dropped.
    stored = set(runtime().archive.store.list("originals/"))
    assert len(stored) == len({p.read_bytes() for p in _inbox_files(inbox)})


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
