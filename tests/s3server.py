"""A real, persistent S3 server for tests: OpenStack Swift + s3api from Debian packages.

Why Swift and not a mock: the tests must prove that wrong credentials are
rejected, that data survives a server restart and that a client rides out an
outage. Mocks (moto) accept any credentials and keep nothing across restarts;
MinIO has no installable server binary here (see docs: shared/notes/s3-servers.md).

Layout under ``root`` (everything the server needs, nothing in /etc besides
the package's ``/etc/swift/swift.conf``, which Swift always reads from there)::

    root/ports.json              backend ports, chosen once (they are baked into the rings)
    root/etc/*.conf              configs, rewritten at every start
    root/etc/*.ring.gz           rings, built once and kept with the data
    root/srv/d1/                 the one "device" holding accounts, containers, objects
    root/log/*.log               stdout+stderr of each process

Credentials (tempauth keys always look like ``account:user``):

- admin: access key ``test:tester``, secret ``testing`` (``.admin`` of account ``test``);
- read-only: access key ``test:reader``, secret ``reading``. The user is in the
  same account (so it sees the same buckets through s3api, which maps a key to
  the account of its ``account`` part) and belongs to tempauth's
  ``.reseller_reader`` group, which authorizes only GET and HEAD. S3 reads,
  HEAD bucket and listings work; PUT, DELETE and bucket creation get 403
  AccessDenied. ``readonly_supported`` is therefore True.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

SWIFT_BINARIES = (
    "swift-ring-builder",
    "swift-account-server",
    "swift-container-server",
    "swift-object-server",
    "swift-proxy-server",
    "memcached",
)

# Start order matters: the proxy checks nothing at start, but a request that
# arrives before the backends listen would fail; so backends first, proxy last.
_BACKENDS = ("account", "container", "object")


def free_port() -> int:
    """A currently free loopback TCP port (the kernel picks it for a bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_binaries() -> list[str]:
    return [b for b in SWIFT_BINARIES if shutil.which(b) is None]


class S3ServerError(RuntimeError):
    pass


class SwiftS3Server:
    """Single-node Swift with the s3api middleware on 127.0.0.1.

    ``port`` is the S3 (proxy) port; 0 picks a free one, kept across restarts.
    """

    admin_access_key = "test:tester"
    admin_secret_key = "testing"
    readonly_access_key = "test:reader"
    readonly_secret_key = "reading"
    readonly_supported = True
    region = "us-east-1"

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self._requested_port = port
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self.ports: dict[str, int] = {}
        self.start_seconds: float | None = None

    # -- public API ---------------------------------------------------------

    @property
    def port(self) -> int:
        return self.ports["proxy"]

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs.values())

    def start(self, timeout: float = 60.0) -> None:
        missing = missing_binaries()
        if missing:
            raise S3ServerError(
                "Swift S3 test server cannot start: missing "
                + ", ".join(missing)
                + " (run `make setup`, which installs the Debian packages "
                "swift swift-proxy swift-account swift-container swift-object memcached)"
            )
        if self._procs:
            raise S3ServerError("already started")
        t0 = time.monotonic()
        # A crashed script or test session must not leave five daemons behind.
        atexit.register(self.stop)
        self._prepare()
        try:
            # memcached port is not in the rings, so a fresh one each start is fine.
            self.ports["memcached"] = free_port()
            self._spawn(
                "memcached",
                [
                    "memcached", "-l", "127.0.0.1", "-p", str(self.ports["memcached"]),
                    "-U", "0", "-m", "64", "-u", "root",
                ]
                if os.geteuid() == 0
                else ["memcached", "-l", "127.0.0.1", "-p", str(self.ports["memcached"]),
                      "-U", "0", "-m", "64"],
            )
            self._wait_port("memcached", timeout)
            self._write_proxy_conf()
            for name in _BACKENDS:
                self._spawn(name, [f"swift-{name}-server", str(self._conf(name)), "-v"])
                self._wait_port(name, timeout)
                self._wait_healthcheck(name, timeout)
            self._spawn("proxy", ["swift-proxy-server", str(self._conf("proxy")), "-v"])
            self._wait_port("proxy", timeout)
            self._wait_healthcheck("proxy", timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - t0

    def stop(self, timeout: float = 10.0) -> None:
        atexit.unregister(self.stop)
        # Proxy first so clients see connection refused rather than 5xx from
        # half-stopped backends; memcached last.
        order = ["proxy", *reversed(_BACKENDS), "memcached"]
        for name in order:
            proc = self._procs.pop(name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout)
        self._procs.clear()
        for f in self._logs:
            f.close()
        self._logs.clear()

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> SwiftS3Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, name: str = "proxy", lines: int = 40) -> str:
        path = self.root / "log" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- setup ---------------------------------------------------------------

    def _conf(self, name: str) -> Path:
        return self.root / "etc" / f"{name}-server.conf"

    def _prepare(self) -> None:
        for sub in ("etc", "srv/d1", "log", "run", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        ports_file = self.root / "ports.json"
        if ports_file.exists():
            self.ports = json.loads(ports_file.read_text())
        else:
            self.ports = {name: free_port() for name in _BACKENDS}
            self.ports["proxy"] = self._requested_port or free_port()
            ports_file.write_text(json.dumps(self.ports))
        if self._requested_port and self._requested_port != self.ports["proxy"]:
            self.ports["proxy"] = self._requested_port
            ports_file.write_text(json.dumps(self.ports))
        for name in _BACKENDS:
            self._write_backend_conf(name)
        self._build_rings()

    def _build_rings(self) -> None:
        etc = self.root / "etc"
        for name in _BACKENDS:
            if (etc / f"{name}.ring.gz").exists():
                continue  # built once: rebuilding could move partitions away from data
            builder = str(etc / f"{name}.builder")
            run = [
                ["swift-ring-builder", builder, "create", "8", "1", "1"],
                ["swift-ring-builder", builder, "add",
                 f"r1z1-127.0.0.1:{self.ports[name]}/d1", "100"],
                ["swift-ring-builder", builder, "rebalance"],
            ]
            for cmd in run:
                res = subprocess.run(cmd, capture_output=True, text=True, cwd=etc)
                # rebalance exits 1 for a warning (e.g. one replica, one device).
                if res.returncode not in (0, 1) or (res.returncode == 1 and "rebalance" not in cmd):
                    raise S3ServerError(f"{' '.join(cmd)} failed: {res.stdout}{res.stderr}")

    def _common(self) -> str:
        user = "root" if os.geteuid() == 0 else (os.environ.get("USER") or "nobody")
        return (
            f"swift_dir = {self.root / 'etc'}\n"
            f"devices = {self.root / 'srv'}\n"
            "mount_check = false\n"
            "bind_ip = 127.0.0.1\n"
            "workers = 0\n"
            f"user = {user}\n"
            "log_name = swift\n"
            "log_level = INFO\n"
            f"recon_cache_path = {self.root / 'cache'}\n"
        )

    def _write_backend_conf(self, name: str) -> None:
        text = (
            "[DEFAULT]\n"
            f"bind_port = {self.ports[name]}\n"
            + self._common()
            + "\n"
            f"[pipeline:main]\npipeline = healthcheck recon {name}-server\n\n"
            f"[app:{name}-server]\nuse = egg:swift#{name}\n\n"
            "[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n"
            f"[filter:recon]\nuse = egg:swift#recon\nrecon_cache_path = {self.root / 'cache'}\n\n"
            f"[{name}-replicator]\n\n[{name}-auditor]\n\n"
        )
        self._conf(name).write_text(text)

    def _write_proxy_conf(self) -> None:
        text = (
            "[DEFAULT]\n"
            f"bind_port = {self.ports['proxy']}\n"
            + self._common()
            + "\n[pipeline:main]\n"
            "pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats"
            " bulk s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server\n\n"
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n\n"
            "[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\n\n"
            "[filter:tempauth]\nuse = egg:swift#tempauth\n"
            f"user_test_tester = {self.admin_secret_key} .admin\n"
            f"user_test_reader = {self.readonly_secret_key} .reseller_reader\n\n"
            "[filter:cache]\nuse = egg:swift#memcache\n"
            f"memcache_servers = 127.0.0.1:{self.ports['memcached']}\n\n"
            "[filter:catch_errors]\nuse = egg:swift#catch_errors\n\n"
            "[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n\n"
            "[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n"
            "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n\n"
            "[filter:listing_formats]\nuse = egg:swift#listing_formats\n\n"
            "[filter:bulk]\nuse = egg:swift#bulk\n\n"
            "[filter:copy]\nuse = egg:swift#copy\n\n"
            "[filter:slo]\nuse = egg:swift#slo\n\n"
            "[filter:dlo]\nuse = egg:swift#dlo\n\n"
            "[filter:versioned_writes]\nuse = egg:swift#versioned_writes\n\n"
        )
        self._conf("proxy").write_text(text)

    # -- processes -----------------------------------------------------------

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.root / "log" / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop)
        self._logs.append(log)
        self._procs[name] = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.root,
            # Own process group: a Ctrl-C in the test terminal must not kill
            # the server before the fixture's orderly stop.
            start_new_session=True,
        )

    def _check_alive(self, name: str) -> None:
        proc = self._procs[name]
        if proc.poll() is not None:
            raise S3ServerError(
                f"{name} exited with code {proc.returncode}; log tail:\n{self.log_tail(name)}"
            )

    def _wait_port(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive(name)
            try:
                with socket.create_connection(("127.0.0.1", self.ports[name]), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise S3ServerError(
                        f"{name} did not listen on {self.ports[name]} within {timeout}s;"
                        f" log tail:\n{self.log_tail(name)}"
                    ) from None
                time.sleep(0.05)

    def _wait_healthcheck(self, name: str, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.ports[name]}/healthcheck"
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            self._check_alive(name)
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    body = resp.read().decode()
                    if resp.status == 200 and body.strip() == "OK":
                        return
                    last = f"{resp.status} {body!r}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.05)
        raise S3ServerError(f"{name} healthcheck not OK within {timeout}s: {last}")
