"""What a flow run tells supervisors in the Prefect UI: its name and its artifacts.

Only ward codes and counts: never a name, an ID number, an address or a file name
(clerks' file names may carry a citizen's name).
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from prefect.client.orchestration import get_client

STATUSES = ("digitized", "needs_review", "rejected", "duplicate")


def run_name(counts: dict[str, Counter[str]], failed: int = 0) -> str:
    total: Counter[str] = Counter()
    for ward_counts in counts.values():
        total.update(ward_counts)
    wards = sorted(counts)
    where = ", ".join(wards[:4]) + (f" +{len(wards) - 4}" if len(wards) > 4 else "")
    parts = [f"{total[s]} {s.replace('_', ' ')}" for s in STATUSES if total[s]]
    if failed:
        parts.append(f"{failed} unfinished")
    return f"{where or 'no ward'}: {', '.join(parts) or 'nothing new'}"


def rename_run(flow_run_id: UUID | str | None, name: str) -> None:
    if not flow_run_id:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(str(flow_run_id)), name=name)


def intake_name(secured: Counter[str], already_done: int = 0, failed: int = 0) -> str:
    """Name of an intake run: wards and how many files it secured (ward -> files)."""
    wards = sorted(secured)
    where = ", ".join(wards[:4]) + (f" +{len(wards) - 4}" if len(wards) > 4 else "")
    parts = [f"{sum(secured.values())} files secured"] if secured else []
    if already_done:
        parts.append(f"{already_done} already recorded")
    if failed:
        parts.append(f"{failed} not taken")
    return f"intake {where or 'no ward'}: {', '.join(parts) or 'nothing new'}"
