"""What supervisors see: run names and artifacts carry ward codes and counts, nothing else."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from flows.artifacts import (
    artifact_key,
    outcome_rows,
    progress_percent,
    publish_run_artifacts,
    targets_markdown,
)
from flows.report import intake_name, run_name
from schemas.wards import WardRegistry
from storage.archive import Archive
from storage.objects import LocalStore


def test_run_name_lists_wards_and_counts() -> None:
    counts = {"phu-tan": Counter(digitized=3, needs_review=1), "an-phu": Counter(rejected=1)}
    assert run_name(counts, failed=2) == \
        "an-phu, phu-tan: 3 digitized, 1 needs review, 1 rejected, 2 unfinished"
    assert run_name({}) == "no ward: nothing new"


def test_intake_name() -> None:
    assert intake_name(Counter({"phu-tan": 2, "an-phu": 1}), already_done=1) == \
        "intake an-phu, phu-tan: 3 files secured, 1 already recorded"
    assert intake_name(Counter()) == "intake no ward: nothing new"


def test_artifact_keys_are_valid() -> None:
    assert artifact_key("ward-progress", "Phu_Tan 2") == "ward-progress-phu-tan-2"
    assert artifact_key("!!") == "unnamed"


def test_outcome_rows_and_progress() -> None:
    rows = outcome_rows({"b": Counter(digitized=2), "a": Counter(duplicate=1)})
    assert [r["ward"] for r in rows] == ["a", "b", "total"]
    assert rows[-1] == {"ward": "total", "digitized": 2, "needs_review": 0, "rejected": 0,
                        "duplicate": 1}
    assert progress_percent(5, 10) == 50.0
    assert progress_percent(50, 10) == 100.0
    assert progress_percent(5, None) is None


def test_targets_markdown_has_codes_and_numbers_only() -> None:
    registry = WardRegistry.load(None)
    ward = registry.codes()[0]
    text = targets_markdown({ward: Counter(digitized=4, needs_review=1)}, registry)
    assert f"| {ward} | 4 |" in text


def test_publish_outside_a_flow_run_is_harmless(tmp_path: Path) -> None:
    summary = SimpleNamespace(counts={"phu-tan": Counter(digitized=1)}, files=1,
                              already_done=0, failed=[])
    archive = Archive(LocalStore(tmp_path / "store"))
    assert publish_run_artifacts(summary, WardRegistry.load(None), archive) is None


@pytest.mark.usefixtures("prefect_harness")
def test_publish_inside_a_flow_run(tmp_path: Path) -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    wards_file = tmp_path / "wards.json"
    wards_file.write_text(
        '{"wards": [{"code": "phu-tan", "name": "Phú Tân", "target": 4}]}', encoding="utf-8"
    )
    registry = WardRegistry.load(wards_file)
    ward = "phu-tan"
    archive = Archive(LocalStore(tmp_path / "store"))
    archive.store.put(f"index/{ward}/r1/birth_certificate.digitized.2025-01-01", b"")
    summary = SimpleNamespace(counts={ward: Counter(digitized=1)}, files=1, already_done=0,
                              failed=[])

    @flow(name="publish-test")
    def publish() -> str:
        from prefect.runtime import flow_run

        publish_run_artifacts(summary, registry, archive)
        return str(flow_run.get_id())

    run_id = publish()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    by_key = {a.key: a for a in artifacts}
    assert {"ward-outcomes", "ward-targets", "review-queue"} <= set(by_key)
    table = str(by_key["ward-outcomes"].data)
    assert ward in table
    assert by_key[artifact_key("ward-progress", ward)].data == 25.0  # 1 of 4
    assert "Phú Tân" not in str([a.data for a in artifacts])  # codes only
    assert "digitize review list" in str(by_key["review-queue"].data)


def test_one_original_fetched_by_many_tasks_at_once_is_whole_for_each(tmp_path: Path) -> None:
    # Measured: a file and its copy (one content) inspected at the same moment shared one
    # temporary cache file; one task read it while the other was rewriting it, and a good
    # scan was rejected as empty.
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from storage.archive import SourceDrop, sha256_hex

    data = os.urandom(32 * 1024 * 1024)
    sha = sha256_hex(data)
    archive = Archive(LocalStore(tmp_path / "store"), cache_dir=tmp_path / "cache")
    archive.secure_original(data, SourceDrop(sha, "phu-tan/a.png", "phu-tan", len(data),
                                             "2026-01-01T00:00:00+00:00"))
    start = threading.Barrier(8)

    def fetch(_: int) -> bool:
        start.wait()
        return archive.original(sha) == data

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(fetch, range(8)))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [sha]  # no leftovers
