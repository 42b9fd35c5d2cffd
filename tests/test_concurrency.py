"""Four `digitize run` processes at once on overlapping inboxes into one store (issue 5):
counts exact, no business key digitized twice, every file exactly one outcome.

The inboxes overlap in two ways: the same file under the same name in several inboxes
(one drop seen by several processes) and the same bytes under other names (duplicates
whose "first" must be agreed on). Ownership is settled at the end of each run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_faults import check_store, inbox_sources, make_small_inbox, run_cli, start_run

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("overlap")
    full = make_small_inbox(base / "full", seed=9)
    files = sorted(p.relative_to(full) for p in full.rglob("*") if p.is_file())
    out = []
    for n in range(4):
        inbox = base / f"inbox-{n}"
        # each takes 3 of every 4 files (so every file is in 3 inboxes) ...
        for i, rel in enumerate(files):
            if i % 4 != n:
                (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(full / rel, inbox / rel)
        # ... and one more copy of a readable file under its own name
        png = sorted(inbox.rglob("*.png"))[0]
        shutil.copy2(png, png.parent / f"copy-from-{n}.png")
        out.append(inbox)
    return out


def _four_at_once(inboxes: list[Path], store: dict[str, str], tmp: Path, use_store) -> None:
    procs = [start_run(inbox, store, tmp / f"cache-{n}") for n, inbox in enumerate(inboxes)]
    outs = [p.communicate(timeout=400)[0] for p in procs]
    for p, out in zip(procs, outs, strict=True):
        assert p.returncode == 0, out[-3000:]
    sources = inbox_sources(*inboxes)
    counts = check_store(store, use_store, sources)
    # Every readable content is digitized (or reviewed) once; all its other drops duplicate.
    # A single process over the union of the inboxes is the reference.
    ref_inbox = tmp / "union"
    for inbox in inboxes:
        shutil.copytree(inbox, ref_inbox, dirs_exist_ok=True)
    ref_store = {**store, "DIGITIZE_STORE": store["DIGITIZE_STORE"] + "-ref"}
    run_cli(ref_inbox, ref_store, tmp / "cache-ref")
    assert check_store(ref_store, use_store, sources) == counts


def test_four_processes_local(inboxes: list[Path], tmp_path: Path, use_store) -> None:
    _four_at_once(inboxes, {"DIGITIZE_STORE": str(tmp_path / "store")}, tmp_path, use_store)


@pytest.mark.s3
def test_four_processes_s3(inboxes: list[Path], tmp_path: Path, use_store,
                           s3_store_settings: dict[str, str]) -> None:
    _four_at_once(inboxes, s3_store_settings, tmp_path, use_store)
