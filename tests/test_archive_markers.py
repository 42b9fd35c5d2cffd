"""A drop's marker stays whole whatever happened to the store meanwhile."""

from __future__ import annotations

from pathlib import Path

from storage.archive import Archive, SourceDrop, sha256_hex
from storage.objects import LocalStore


def test_a_drop_finished_after_its_marker_went_is_recorded_whole(tmp_path: Path) -> None:
    """Seen in a benchmark whose store was emptied while an earlier run still wrote to it:
    the `done` marker held only the outcome, and settling the content then failed on the
    missing name and time (KeyError), ending the whole flow run."""
    archive = Archive(LocalStore(tmp_path / "store"), cache_dir=tmp_path / "cache")
    data = b"%PDF-1.4 a scan"
    drop = SourceDrop(sha256_hex(data), "phu-tan/scan-0001.pdf", "phu-tan", len(data),
                      "2026-11-29T06:00:00+00:00")
    archive.secure_original(data, drop)
    archive.store.delete(f"sources/{drop.sha256}/{drop.source_id}.json")
    archive.finish_drop(drop, {"record_ids": [], "statuses": ["rejected"]})
    marker = archive.drop_marker(drop.sha256, drop.source_id)
    assert marker is not None
    assert marker["source_name"] == "phu-tan/scan-0001.pdf"
    assert marker["received_at"] == "2026-11-29T06:00:00+00:00"
    assert marker["state"] == "done" and marker["statuses"] == ["rejected"]
    assert archive.first_drop(drop.sha256) == marker
