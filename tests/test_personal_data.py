"""Citizens' data stays in the records: never in logs, run names, artifacts or messages.

A batch runs through Prefect (the test harness server); then everything it told the
outside world is searched for every name, ID number and address of the inputs.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.sorting import LogSort

from flows.pipeline import digitize_inbox
from samples.generate import generate_inbox

PERSONAL_FIELDS = ("name", "_id", "address", "residence", "place_of_birth", "home_town")


def _personal_values(truth: list) -> set[str]:
    values: set[str] = set()
    for t in truth:
        for key, value in t.fields.items():
            if value and any(part in key for part in PERSONAL_FIELDS):
                values.add(value)
                values.add(value.upper())
    return values


@pytest.mark.usefixtures("prefect_harness")
def test_no_personal_data_leaves_the_records(
    tmp_path: Path, use_store, capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox = tmp_path / "inbox"
    truth = generate_inbox(inbox, records=5, seed=23, wards=["phu-loi", "binh-hoa"],
                           profiles=("clean", "light"), captures=("scan",))
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    secrets = _personal_values(truth)
    assert len(secrets) >= 10  # the batch really carries personal data to look for

    with caplog.at_level(logging.DEBUG):
        summary = digitize_inbox(str(inbox))
    assert summary.failed == []
    out, err = capfd.readouterr()

    with get_client(sync_client=True) as client:
        flow_runs = client.read_flow_runs()
        task_runs = client.read_task_runs()
        logs = client.read_logs(sort=LogSort.TIMESTAMP_ASC)
        artifacts = client.read_artifacts()
    assert flow_runs and task_runs and logs and artifacts
    told = "\n".join([
        out, err, caplog.text,
        *(run.name for run in flow_runs), *(run.name for run in task_runs),
        *(json.dumps(run.parameters, ensure_ascii=False) for run in flow_runs),
        *(log.message for log in logs),
        *(json.dumps(a.data, ensure_ascii=False, default=str) for a in artifacts),
        *(str(a.description) for a in artifacts),
    ])
    leaked = sorted(s for s in secrets if s in told)
    assert leaked == [], f"{len(leaked)} personal values found in logs, names or artifacts"

    # The clerk's reasons name the field, never the value.
    store_records = (tmp_path / "store" / "records").glob("*.json")
    for path in store_records:
        record = json.loads(path.read_text())
        for reason in record["reasons"]:
            assert not any(s in reason for s in secrets), record["record_id"]
