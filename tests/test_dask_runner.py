"""Pages across a Dask cluster: DIGITIZE_TASK_RUNNER selects it for the workers' flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect_dask import DaskTaskRunner

from flows.pipeline import _workers_task_runner, process_drops, runtime
from flows.serve import intake_inbox
from samples.generate import generate_inbox


def test_task_runner_is_chosen_by_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGITIZE_TASK_RUNNER", "threads")
    assert not isinstance(_workers_task_runner(), DaskTaskRunner)
    monkeypatch.setenv("DIGITIZE_TASK_RUNNER", "tcp://10.0.0.5:8786")
    runner = _workers_task_runner()
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://10.0.0.5:8786"
    monkeypatch.setenv("DIGITIZE_TASK_RUNNER", "sideways")
    with pytest.raises(ValueError):
        _workers_task_runner()


@pytest.mark.usefixtures("prefect_harness")
def test_process_drops_on_a_local_dask_cluster(
    tmp_path: Path, use_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, records=2, seed=4, wards=["phu-my"], profiles=("clean",),
                   captures=("scan",), edge_cases=False)
    names = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    secured = intake_inbox(str(inbox), names)
    assert len(secured["drops"]) == len(names)

    # Dask workers are other processes: they find the store from the environment alone.
    monkeypatch.setenv("DIGITIZE_TASK_RUNNER", "dask")
    monkeypatch.setenv("DIGITIZE_OCR_WORKERS", "2")
    summary = process_drops.with_options(task_runner=_workers_task_runner())(secured["drops"])
    assert summary.failed == []
    records = list(runtime().archive.iter_records())
    assert len(records) == 2
    assert all(r["status"] in ("digitized", "needs_review") for r in records)
    assert all(r["doc_type"] for r in records)
