"""`digitize review list|show|set|approve|reject`: the clerk's review queue.

Registered by flows/cli.py as ``app.add_typer(review_app, name="review")``. This is the clerk's
own tool on the clerk's terminal, so it shows field values; it never logs them.

Exit status: 0 done; 1 refused (invalid record, wrong state, unknown field); 2 no such record
or the store failed.
"""

from __future__ import annotations

import getpass
import os
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from flows import review
from storage.archive import Archive

review_app = typer.Typer(
    help="Hàng chờ kiểm tra / the review queue: list, show, correct, approve or reject records.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)  # messages whole on one line, greppable
err = Console(stderr=True, soft_wrap=True)


def open_archive() -> Archive:
    """The archive the settings point at (a seam for tests)."""
    from storage.objects import StoreSettings, open_store

    return Archive(open_store(StoreSettings()))


def _settings():  # noqa: ANN202 - (WardRegistry, min_confidence), imported lazily
    from flows.settings import PipelineSettings
    from schemas.wards import WardRegistry

    settings = PipelineSettings()
    return WardRegistry.load(settings.wards_file), settings.min_confidence


def _default_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _fail(exc: review.ReviewError) -> typer.Exit:
    err.print(f"[red]{exc}[/red]", highlight=False)
    for reason in exc.reasons:
        err.print(f"  - {reason}", markup=False, highlight=False)
    return typer.Exit(2 if isinstance(exc, review.RecordNotFound) else 1)


BY_OPTION = typer.Option(None, "--by", help="who does this (default: $USER)")


@review_app.command("list")
def list_command(
    ward: str | None = typer.Option(None, "--ward", help="only this ward code"),
) -> None:
    """Records waiting for review: id, ward, document type, reasons."""
    waiting = review.queue(open_archive(), ward)
    table = Table(title=f"Hồ sơ cần kiểm tra / Records to review: {len(waiting)}")
    for col in ("record id", "ward", "document type", "reasons"):
        table.add_column(col, overflow="fold")
    for r in waiting:
        table.add_row(r["record_id"], r["ward_folder"], r.get("doc_type") or "?",
                      "\n".join(r.get("reasons") or []))
    console.print(table)


@review_app.command("show")
def show_command(record_id: str = typer.Argument(..., help="record id")) -> None:
    """Reasons, fields with their confidence, and where the page images are."""
    from schemas.validate import FIELD_LABELS

    try:
        record, pages = review.show(open_archive(), record_id)
    except review.ReviewError as exc:
        raise _fail(exc) from exc
    console.print(
        f"[bold]{record['record_id']}[/bold]  ward {record['ward_folder']}  "
        f"type {record.get('doc_type') or '?'}  status [bold]{record['status']}[/bold]",
        highlight=False,
    )
    console.print(f"source: {record.get('source_name')}  pages: {record.get('pages')}",
                  markup=False, highlight=False)
    if record.get("reasons"):
        console.print("Lý do / reasons:")
        for reason in record["reasons"]:
            console.print(f"  - {reason}", markup=False, highlight=False)
    table = Table(title="Trường / fields")
    for col in ("field", "label", "value", "confidence"):
        table.add_column(col, overflow="fold")
    confidence = record.get("confidence") or {}
    for name, value in (record.get("fields") or {}).items():
        conf = confidence.get(name)
        table.add_row(name, FIELD_LABELS.get(name, name), "" if value is None else str(value),
                      "" if conf is None else f"{conf:.0%}")
    console.print(table)
    console.print("Ảnh trang / page images:")
    for page in pages:
        where = page.location or f"(missing: {page.key})"
        console.print(f"  page {page.number}: {where}", markup=False, highlight=False,
                      soft_wrap=True)
    for h in record.get("history") or []:
        console.print(f"  history: {h.get('at')} {h.get('by')} {h.get('action')}",
                      markup=False, highlight=False)


@review_app.command("set")
def set_command(
    record_id: str = typer.Argument(..., help="record id"),
    assignments: list[str] = typer.Argument(..., help="FIELD=VALUE (empty VALUE clears)"),
    by: str | None = BY_OPTION,
) -> None:
    """Correct fields; they are normalized and the record is revalidated."""
    values: dict[str, str] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            err.print(f"[red]expected FIELD=VALUE, got {item!r}[/red]", highlight=False)
            raise typer.Exit(1)
        values[name.strip()] = value
    registry, min_conf = _settings()
    try:
        record = review.set_fields(open_archive(), record_id, values, by=by or _default_user(),
                                   registry=registry, today=date.today(),
                                   min_confidence=min_conf)
    except review.ReviewError as exc:
        raise _fail(exc) from exc
    if record["reasons"]:
        console.print(f"{record_id}: {len(record['reasons'])} reason(s) left:")
        for reason in record["reasons"]:
            console.print(f"  - {reason}", markup=False, highlight=False)
    else:
        console.print(f"{record_id}: hợp lệ, có thể duyệt / valid, ready to approve")


@review_app.command("approve")
def approve_command(
    record_id: str = typer.Argument(..., help="record id"),
    by: str | None = BY_OPTION,
) -> None:
    """Approve a valid record: it becomes digitized and is counted (once)."""
    registry, _ = _settings()
    try:
        record = review.approve(open_archive(), record_id, by=by or _default_user(),
                                registry=registry, today=date.today())
    except review.ReviewError as exc:
        raise _fail(exc) from exc
    if record["status"] == "duplicate":
        owner = (record.get("duplicate_of") or {}).get("record_id")
        console.print(f"{record_id}: trùng với / duplicate of {owner}: not counted again")
    else:
        console.print(f"{record_id}: {record['status']}")


@review_app.command("reject")
def reject_command(
    record_id: str = typer.Argument(..., help="record id"),
    reason: str = typer.Option(..., "--reason", help="why (kept with the record)"),
    by: str | None = BY_OPTION,
) -> None:
    """Close a record as rejected, with the reason; it is never counted."""
    try:
        record = review.reject(open_archive(), record_id, reason=reason,
                               by=by or _default_user())
    except review.ReviewError as exc:
        raise _fail(exc) from exc
    console.print(f"{record_id}: {record['status']}")
