"""What a run starts ends with the run, however the run ends: its temporary Prefect server
above all.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary one as a child
process and stops it at exit (`atexit`). A run stopped by SIGTERM (systemd, `docker
stop`, `timeout`: Prefect's engine re-sends the signal to itself with the default
action) or by kill -9 never reaches `atexit`, and the server stayed behind for good:
about 210 MB, a port, and one more writer on the SQLite database the next run's own
server opens.

So every process the run starts carries a mark in its environment (`RUN_MARK`, a random
token, inherited by the server, the page workers and their Tesseracts), and a watcher
waits for the run's end: a `sh` in a session of its own, blocked reading a pipe whose
only writer is the run. The kernel closes that pipe when the run ends, however it ends;
the watcher's read returns and it stops every process still carrying the mark. A run
that ends normally dismisses the watcher first and stops its server as before. The mark
is looked for at the end, not a process id taken at the start: the server is started
late, by Prefect, and may be restarted on another port.
"""

from __future__ import annotations

import atexit
import os
import secrets
import subprocess

RUN_MARK = "DIGITIZE_RUN_MARK"

# $1: the mark. `read` returns at end of file: the run has ended.
_WATCH = """read -r _line
for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    grep -qaF "$1" "$env" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
done
"""


def end_with_this_run() -> None:
    """Mark this process's environment for its children to inherit, and start the watcher
    that stops them if the run ends without stopping them itself."""
    mark = f"{RUN_MARK}={secrets.token_hex(16)}"
    name, value = mark.split("=", 1)
    # the watcher (and the grep it runs) must not carry the mark it looks for
    watcher = subprocess.Popen(
        ["sh", "-c", _WATCH, "digitize-run-watch", mark],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != RUN_MARK},
        start_new_session=True,  # a Ctrl-C in the terminal is the run's to handle
    )
    os.environ[name] = value
    atexit.register(_dismiss, watcher)


def _dismiss(watcher: subprocess.Popen[bytes]) -> None:
    watcher.kill()
    watcher.wait()
    if watcher.stdin is not None:
        watcher.stdin.close()
