"""Terminal defaults for the `digitize` command, set before Prefect is first imported.

Without a Prefect server configured, runs use a temporary one: its chatter (and the
flow's INFO lines) stay off the clerk's terminal, where the progress bar and the final
table say what happened. With a server (PREFECT_API_URL), logs go to its UI as usual.
Prefect reads these settings once, at import: this module must be imported first.
"""

import os

if not os.environ.get("PREFECT_API_URL"):
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
    # The temporary server's telemetry heartbeat writes to its SQLite database while the
    # run does; on a busy 2-core machine it met `database is locked` and printed a
    # traceback on the clerk's terminal. A ward office's machine has nothing to report
    # to anyway.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
