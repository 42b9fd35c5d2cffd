"""`digitize serve` (the intake service) and `digitize deploy` (the workers' deployment).

Registered on the main app by flows/cli.py:

    app.command("serve")(serve_command)
    app.command("deploy")(deploy_command)

`python -m flows.cli_serve ...` runs the whole `digitize` app with both registered
(used by tests until they are).
"""

from __future__ import annotations

from pathlib import Path

import typer

from flows.settings import DEFAULT_DEPLOYMENT, After


def serve_command(
    inbox: Path = typer.Argument(
        ..., envvar="DIGITIZE_INBOX", exists=True, file_okay=False,
        help="folder holding one sub-folder per ward code (env DIGITIZE_INBOX)",
    ),
    interval: float = typer.Option(10.0, "--interval", min=0.1, envvar="DIGITIZE_POLL_INTERVAL",
                                   help="seconds between two polls of the inbox"),
    stable_seconds: float = typer.Option(
        5.0, "--stable-seconds", min=0.0, envvar="DIGITIZE_STABLE_SECONDS",
        help="a file is taken once its size and mtime have not changed for this long",
    ),
    after: After = typer.Option(After.move, "--after", envvar="DIGITIZE_AFTER",
                                help="what becomes of a file once its original is stored"),
    archive_dir: Path | None = typer.Option(
        None, "--archive-dir", envvar="DIGITIZE_ARCHIVE_DIR", file_okay=False,
        help="where taken files go, as <ward>/<YYYY-MM-DD>/ (default: INBOX/../archive)",
    ),
    failed_dir: Path | None = typer.Option(
        None, "--failed-dir", envvar="DIGITIZE_FAILED_DIR", file_okay=False,
        help="where files that cannot be taken go, as <ward>/ (default: INBOX/../failed)",
    ),
    work_pool: str | None = typer.Option(
        None, "--work-pool", envvar="DIGITIZE_WORK_POOL",
        help="process on this Prefect work pool's workers instead of in this process",
    ),
    deployment: str = typer.Option(DEFAULT_DEPLOYMENT, "--deployment",
                                   envvar="DIGITIZE_DEPLOYMENT",
                                   help="name of the process-drops deployment (with --work-pool)"),
    batch_size: int = typer.Option(5, "--batch-size", min=1, envvar="DIGITIZE_BATCH_SIZE",
                                   help="files per flow run sent to the work pool"),
    once: bool = typer.Option(False, "--once",
                              help="stop once the inbox holds nothing that can become ready"),
) -> None:
    """Watch INBOX (polling), secure ready files, archive them and process them."""
    from flows.run_watcher import end_with_this_run
    from flows.serve import ServeSettings, configure_logging, serve

    configure_logging()
    try:
        settings = ServeSettings(
            inbox=inbox, interval=interval, stable_seconds=stable_seconds, after=after,
            archive_dir=archive_dir, failed_dir=failed_dir, work_pool=work_pool,
            deployment=deployment, batch_size=batch_size,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    end_with_this_run()  # what it starts (its temporary Prefect server) ends with it
    try:
        serve(settings, once=once)
    except KeyboardInterrupt:
        typer.echo("stopped; the next start resumes where this one left off", err=True)


def deploy_command(
    pool: str = typer.Option(..., "--pool", envvar="DIGITIZE_WORK_POOL",
                             help="Prefect work pool (type process; created if missing)"),
    name: str = typer.Option(DEFAULT_DEPLOYMENT, "--name", help="deployment name"),
    source: Path | None = typer.Option(
        None, "--source", file_okay=False,
        help="folder holding this project on every worker (default: this checkout)",
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1,
        help="most process-drops runs at once across all workers (default: no limit)",
    ),
) -> None:
    """Register the process-drops deployment that `prefect worker start --pool POOL` runs."""
    from flows.serve import PROCESS_FLOW, deploy_process_drops

    deployment_id = deploy_process_drops(pool, name=name, source=source,
                                         concurrency=concurrency)
    typer.echo(f"deployment {PROCESS_FLOW}/{name} ({deployment_id}) on work pool {pool}")
    typer.echo(f"start workers with: prefect worker start --pool {pool} --type process")


def register(app: typer.Typer) -> None:
    """Add `serve` and `deploy` to an app that does not have them yet."""
    names = {c.name for c in app.registered_commands}
    if "serve" not in names:
        app.command("serve")(serve_command)
    if "deploy" not in names:
        app.command("deploy")(deploy_command)


if __name__ == "__main__":
    from flows.cli import app

    register(app)
    app()
