"""Artifacts a flow run publishes for supervisors in the Prefect UI.

Three per processing run, all keyed so the UI's Artifacts page keeps their history:

- `ward-outcomes`: a table, one row per ward of what this run digitized, sent to review,
  rejected and found duplicate;
- `ward-progress-<ward>`: each ward's total digitized (from the archive's index) as a
  percentage of its target (wards without a target are listed in `ward-targets` only);
  `ward-targets`: a markdown table of all of them;
- `review-queue`: where the review queue is and how to work through it.

Only ward codes and counts: never a name, an ID number or a file name (see flows/report.py).
Called outside a flow run (a test, a script), `publish_run_artifacts` does nothing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from flows.report import STATUSES

if TYPE_CHECKING:
    from schemas.wards import WardRegistry
    from storage.archive import Archive

log = logging.getLogger(__name__)

OUTCOMES_KEY = "ward-outcomes"
TARGETS_KEY = "ward-targets"
REVIEW_KEY = "review-queue"


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key: lowercase letters, digits and dashes only."""
    raw = "-".join(parts).lower()
    key = re.sub(r"[^a-z0-9]+", "-", raw).strip("-")
    return key or "unnamed"


def outcome_rows(counts: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    """One row per ward (sorted), plus a total row when there is more than one ward."""
    rows: list[dict[str, Any]] = []
    total: Counter[str] = Counter()
    for ward in sorted(counts):
        rows.append({"ward": ward, **{s: int(counts[ward].get(s, 0)) for s in STATUSES}})
        total.update(counts[ward])
    if len(rows) > 1:
        rows.append({"ward": "total", **{s: int(total.get(s, 0)) for s in STATUSES}})
    return rows


def ward_totals(archive: Archive, wards: list[str]) -> dict[str, Counter[str]]:
    """Status -> records for each ward, over all time (the archive's index, not this run)."""
    totals: dict[str, Counter[str]] = {}
    for ward in wards:
        by_status: Counter[str] = Counter()
        for (_doc_type, status, _day), n in archive.count_ward(ward).items():
            by_status[status] += n
        totals[ward] = by_status
    return totals


def progress_percent(digitized: int, target: int | None) -> float | None:
    if not target or target <= 0:
        return None
    return round(min(100.0, 100.0 * digitized / target), 1)


def targets_markdown(totals: dict[str, Counter[str]], registry: WardRegistry) -> str:
    lines = [
        "## Tiến độ theo phường / Progress per ward",
        "",
        "| ward | digitized | target | progress | needs review |",
        "|---|---:|---:|---:|---:|",
    ]
    for ward in sorted(totals):
        known = registry.get(ward)
        target = known.target if known else None
        done = totals[ward].get("digitized", 0)
        pct = progress_percent(done, target)
        lines.append(
            f"| {ward} | {done} | {target if target else '-'} | "
            f"{f'{pct:.1f} %' if pct is not None else '-'} | "
            f"{totals[ward].get('needs_review', 0)} |"
        )
    return "\n".join(lines) + "\n"


def review_markdown(waiting: int, store: str) -> str:
    return (
        "## Hàng đợi duyệt / Review queue\n\n"
        f"**{waiting}** records of the wards in this run wait for review.\n\n"
        f"Records are stored in `{store}`. Clerks work through the queue with:\n\n"
        "```\n"
        "digitize review list\n"
        "digitize review show RECORD_ID\n"
        "digitize review set RECORD_ID FIELD=VALUE\n"
        "digitize review approve RECORD_ID\n"
        "digitize review reject RECORD_ID --reason '...'\n"
        "```\n"
    )


def _in_flow_run() -> bool:
    try:
        from prefect.context import FlowRunContext

        ctx = FlowRunContext.get()
    except Exception:  # noqa: BLE001 - no Prefect context at all: not in a run
        return False
    return ctx is not None and ctx.flow_run is not None


def publish_run_artifacts(summary: Any, registry: WardRegistry, archive: Archive) -> None:
    """Publish the run's artifacts (see module doc). Harmless outside a flow run, and never
    fails the run: an artifact that cannot be written is logged and skipped."""
    if not _in_flow_run():
        return
    from prefect.artifacts import (
        create_markdown_artifact,
        create_progress_artifact,
        create_table_artifact,
    )

    counts: dict[str, Counter[str]] = dict(getattr(summary, "counts", {}) or {})
    failed = len(getattr(summary, "failed", []) or [])
    try:
        rows = outcome_rows(counts)
        create_table_artifact(
            table=rows or [{"ward": "-", **dict.fromkeys(STATUSES, 0)}],
            key=OUTCOMES_KEY,
            description=(
                f"Kết quả lần chạy / Outcome of this run: {getattr(summary, 'files', 0)} files, "
                f"{getattr(summary, 'already_done', 0)} already recorded, {failed} unfinished"
            ),
        )
        wards = sorted(counts)
        totals = ward_totals(archive, wards)
        for ward in wards:
            known = registry.get(ward)
            pct = progress_percent(totals[ward].get("digitized", 0),
                                   known.target if known else None)
            if pct is not None:
                create_progress_artifact(
                    progress=pct,
                    key=artifact_key("ward-progress", ward),
                    description=f"{ward}: digitized vs target",
                )
        if wards:
            create_markdown_artifact(
                markdown=targets_markdown(totals, registry), key=TARGETS_KEY,
                description="Digitized records per ward against the ward's target",
            )
        waiting = sum(totals[w].get("needs_review", 0) for w in wards)
        create_markdown_artifact(
            markdown=review_markdown(waiting, archive.store.describe()), key=REVIEW_KEY,
            description="Where the review queue is",
        )
    except Exception:  # noqa: BLE001 - the supervisors' view must not fail the work
        log.warning("could not publish the run's artifacts", exc_info=True)
