"""`digitize`: the command line of clerks, supervisors and auditors."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import flows._console  # noqa: F401 - first: sets the environment Prefect reads at import
from flows.cli_audit import audit_command
from flows.cli_review import review_app
from flows.cli_serve import deploy_command, serve_command

app = typer.Typer(
    help="Digitize ward offices' scanned civil records into validated, counted records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

STATUSES = ("digitized", "needs_review", "rejected", "duplicate")


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@app.command()
def run(
    inbox: Path = typer.Argument(..., help="folder holding one sub-folder per ward code",
                                 exists=True, file_okay=False),
) -> None:
    """Process every file under INBOX/<ward-code>/ once, as one Prefect flow run."""
    from flows import progress
    from flows.pipeline import digitize_inbox
    from flows.run_watcher import end_with_this_run
    from flows.settings import PipelineSettings
    from ocr.process import missing_models

    missing = missing_models(PipelineSettings().ocr_lang)
    if missing:
        err.print(f"Tesseract or its models are not installed ({', '.join(missing)}): "
                  "run `make setup` (Debian packages tesseract-ocr, tesseract-ocr-vie, "
                  "tesseract-ocr-eng, tesseract-ocr-script-viet). Nothing was read.")
        raise typer.Exit(2)
    end_with_this_run()  # what it starts (its temporary Prefect server) ends with it

    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=False,
        refresh_per_second=2,  # a batch takes minutes; redrawing 10 times a second costs CPU
    )
    files = bar.add_task("files", total=None)
    pages = bar.add_task("pages", total=0)

    def on_event(event: str, amount: int) -> None:
        if event == "files":
            bar.update(files, total=amount)
        elif event == "pages":
            bar.update(pages, total=(bar.tasks[pages].total or 0) + amount)
        elif event == "page_done":
            bar.advance(pages, amount)
        elif event == "file_done":
            bar.advance(files, amount)

    stop = progress.watch(on_event)
    try:
        with bar:
            summary = digitize_inbox(str(inbox))
    finally:
        stop()

    table = Table(title="Kết quả theo phường / Outcome per ward")
    table.add_column("ward")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for ward in sorted(summary.counts):
        counts = summary.counts[ward]
        table.add_row(ward, *(str(counts.get(s, 0)) for s in STATUSES))
    console.print(table)
    console.print(
        f"{summary.files} files, {summary.already_done} already recorded before, "
        f"{len(summary.failed)} not finished"
    )
    if summary.failed:
        err.print(
            f"{len(summary.failed)} files could not be finished and stay in the inbox; "
            "run again to retry them."
        )
        raise typer.Exit(1)


def _archive():  # noqa: ANN202 - imported lazily so `digitize --help` stays fast
    from storage.archive import Archive
    from storage.objects import StoreSettings, open_store

    return Archive(open_store(StoreSettings()))


@app.command()
def export(
    format: ExportFormat = typer.Option(ExportFormat.jsonl, "--format"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file (default: stdout)"),
) -> None:
    """Export every record, one JSON line each."""
    archive = _archive()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for record in sorted(archive.iter_records(), key=lambda r: r["record_id"]):
            line = {
                "record_id": record["record_id"],
                "source_name": record["source_name"],
                "pages": record["pages"],
                "ward": record["ward_folder"],
                "doc_type": record["doc_type"],
                "status": record["status"],
                "fields": record["fields"],
                "reasons": record["reasons"],
                "duplicate_of": record.get("duplicate_of"),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()


@app.command()
def ocr(
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
    raw: bool = typer.Option(False, "--raw", help="read the page as scanned, without cleaning"),
) -> None:
    """Print what the machine reads on each page of FILE."""
    from ocr.pages import UnreadableInput, split_pages
    from ocr.process import process_page
    from ocr.read import read_page

    try:
        for n, page in enumerate(split_pages(file.read_bytes(), file.name), start=1):
            if n > 1:
                console.print()
            console.print(f"--- page {n} ---", markup=False)
            text = read_page(page.image) if raw else process_page(page.image, page.dpi).text
            console.print(text.text, markup=False, highlight=False)
    except UnreadableInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def samples(
    out: Path = typer.Argument(..., help="inbox folder to write (truth: OUT.truth.jsonl)"),
    records: int = typer.Option(24, "--records", min=1),
    seed: int = typer.Option(0, "--seed"),
    profile: list[str] = typer.Option(
        ["clean", "light", "medium", "heavy"], "--profile", help="degradation profiles"
    ),
    capture: list[str] = typer.Option(["scan", "fax", "photo"], "--capture"),
) -> None:
    """Generate realistic sample scans with their truth, and print the expected outcomes."""
    from collections import Counter

    from samples.generate import generate_inbox, truth_path

    truth = generate_inbox(out, records=records, seed=seed, profiles=tuple(profile),
                           captures=tuple(capture))
    expected: dict[str, Counter[str]] = {}
    for t in truth:
        expected.setdefault(t.ward, Counter())[t.expected_status] += 1
    table = Table(title="Kết quả mong đợi / Expected outcome per ward (truth)")
    table.add_column("ward")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for ward in sorted(expected):
        table.add_row(ward, *(str(expected[ward][s]) for s in STATUSES))
    console.print(table)
    console.print(f"{len(truth)} records under {out}; truth in {truth_path(out)}")


app.command("audit")(audit_command)
app.add_typer(review_app, name="review")
app.command("serve")(serve_command)
app.command("deploy")(deploy_command)

if __name__ == "__main__":
    app()
