"""`digitize audit`: the auditor's command (presentation only; logic in flows/audit.py).

Registered by flows/cli.py as ``app.command("audit")(audit_command)``.

Exit status: 0 counts shown (and, with --verify/--repair, no drift left); 1 drift found
(or left after --repair); 2 the store refused or could not be read (e.g. --repair with the
auditor's read-only credentials).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console
from rich.table import Table

from flows.audit import (
    AuditReport,
    Verification,
    build_report,
    repair,
    to_csv,
    to_html,
    verify,
)
from storage.archive import STATUSES, Archive

err = Console(stderr=True, soft_wrap=True)


class AuditFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


def open_archive() -> Archive:
    """The archive the settings point at (a seam for tests: they wrap the store)."""
    from storage.objects import StoreSettings, open_store

    return Archive(open_store(StoreSettings()))


def _registry():  # noqa: ANN202 - WardRegistry, imported lazily with the settings
    from flows.settings import PipelineSettings
    from schemas.wards import WardRegistry

    return WardRegistry.load(PipelineSettings().wards_file)


def _user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def audit_command(
    format: AuditFormat = typer.Option(AuditFormat.table, "--format", help="output format"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="write the report to this file (default: stdout)"
    ),
    verify_: bool = typer.Option(
        False, "--verify",
        help="recount from the stored records, check every original's hash; exit 1 on drift",
    ),
    repair_: bool = typer.Option(
        False, "--repair",
        help="rebuild index markers, claims and counters from the records (needs write access)",
    ),
    day: str | None = typer.Option(None, "--day", help="only this day's counts (YYYY-MM-DD)"),
) -> None:
    """Records per ward, document type, status and day, and each ward's progress to target."""
    from storage.objects import StoreError

    registry = _registry()
    try:
        archive = open_archive()
        verification: Verification | None = None
        if repair_:
            result = repair(archive, registry, by=_user())
            err.print(
                f"repair: {len(result.demoted)} demoted to duplicate, "
                f"{len(result.rewritten)} index markers rebuilt, "
                f"{len(result.orphans_removed)} orphan markers removed, "
                f"{len(result.claims_written)} claims written, "
                f"{len(result.counters_refreshed)} counter snapshots refreshed",
                highlight=False,
            )
            verification = result.after
        elif verify_:
            verification = verify(archive, registry)
        report = build_report(archive, registry, day)
    except ValueError as exc:
        if isinstance(exc, StoreError):
            raise _store_failure(exc) from exc
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        raise _store_failure(exc) from exc
    report.verification = verification

    if output is not None:
        with output.open("w", encoding="utf-8", newline="") as out:
            _write(report, format, out, to_file=True)
    else:
        _write(report, format, sys.stdout, to_file=False)

    if verification is not None:
        _print_drifts(verification, to_stderr=format != AuditFormat.table or output is not None)
        if not verification.ok:
            raise typer.Exit(1)


def _store_failure(exc: Exception) -> typer.Exit:
    err.print(f"[red]store error:[/red] {exc}", highlight=False, markup=True)
    return typer.Exit(2)


def _write(report: AuditReport, format: AuditFormat, out: TextIO, *, to_file: bool) -> None:
    if format == AuditFormat.json:
        out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    elif format == AuditFormat.csv:
        out.write(to_csv(report))
    elif format == AuditFormat.html:
        out.write(to_html(report))
    else:
        console = Console(file=out, width=140) if to_file else Console(width=140)
        _print_tables(report, console)


def _print_tables(report: AuditReport, console: Console) -> None:
    title = "Tiến độ theo phường / Progress per ward"
    if report.day:
        title += f" ({report.day})"
    summary = Table(title=title)
    for col in ("ward", "name", *STATUSES, "target", "progress"):
        summary.add_column(col, justify="left" if col in ("ward", "name") else "right")
    for w in report.wards:
        totals = w.totals()
        summary.add_row(
            w.code, w.name or "?", *(str(totals[s]) for s in STATUSES),
            str(w.target) if w.target else "–",
            f"{w.progress:.1%}" if w.progress is not None else "–",
        )
    console.print(summary)
    detail = Table(title="Theo loại giấy tờ, trạng thái và ngày / By type, status and day")
    for col in ("ward", "document type", "day", *STATUSES):
        detail.add_column(col, justify="right" if col in STATUSES else "left")
    for w in report.wards:
        per_day: dict[tuple[str, str], dict[str, int]] = {}
        for (doc, status, day), n in w.counts.items():
            per_day.setdefault((doc, day), dict.fromkeys(STATUSES, 0))[status] += n
        for (doc, day), row in sorted(per_day.items()):
            detail.add_row(w.code, doc, day, *(str(row[s]) for s in STATUSES))
    console.print(detail)


def _print_drifts(v: Verification, *, to_stderr: bool) -> None:
    console = err if to_stderr else Console()
    if v.ok:
        console.print(
            f"[green]verify: OK[/green] ({v.records} records, {v.originals} originals)",
            highlight=False,
        )
        return
    console.print(
        f"[red]verify: {len(v.drifts)} drift(s)[/red] "
        f"({v.records} records, {v.originals} originals)",
        highlight=False,
    )
    for d in v.drifts:
        tag = "" if d.repairable else " (not repairable: restore from backup)"
        # soft_wrap: one drift per line, whole, so that it can be grepped from a CI log
        console.print(f"  {d.kind}: {d.message}{tag}", markup=False, highlight=False,
                      soft_wrap=True)
