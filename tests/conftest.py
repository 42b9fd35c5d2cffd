"""Shared pytest fixtures.

S3: one real Swift+s3api server per test session (``s3_server``), and a fresh
bucket per test (``s3_store_settings``). Tests that need S3 never skip: a
missing server is a broken environment, and a skipped storage test would hide it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # tests/ is a rootless folder today (pytest puts it on sys.path) ...
    from s3server import SwiftS3Server, missing_binaries
except ImportError:  # ... and a package if someone adds tests/__init__.py
    from tests.s3server import SwiftS3Server, missing_binaries

# ---------------------------------------------------------------- S3 fixtures


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwiftS3Server]:
    missing = missing_binaries()
    if missing:
        pytest.fail(
            "the S3 test server needs " + ", ".join(missing)
            + ": run `make setup` (installs the Debian packages swift swift-proxy "
            "swift-account swift-container swift-object memcached)",
            pytrace=False,
        )
    server = SwiftS3Server(Path(tmp_path_factory.mktemp("swift-s3")), port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_store_settings(s3_server: SwiftS3Server) -> dict[str, str]:
    """Env-style settings for a bucket no other test uses (the store creates it)."""
    if not s3_server.running:
        # A previous test stopped it (outage tests) and failed before restarting.
        s3_server.restart()
    return {
        "DIGITIZE_STORE": f"s3://t-{uuid.uuid4().hex[:16]}",
        "DIGITIZE_S3_ENDPOINT": s3_server.endpoint,
        "DIGITIZE_S3_ACCESS_KEY": s3_server.admin_access_key,
        "DIGITIZE_S3_SECRET_KEY": s3_server.admin_secret_key,
    }


# ---------------------------------------------------------------- Prefect and the pipeline


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real Prefect API server (temporary database) for the whole session."""
    import os

    from prefect.testing.utilities import prefect_test_harness

    # its telemetry write races the harness's own start-up ("database is locked" traceback)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def use_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Point the pipeline at a store given as env-style settings; returns a setter."""
    from flows.pipeline import runtime

    def set_store(settings: dict[str, str]) -> None:
        for key in ("DIGITIZE_S3_ENDPOINT", "DIGITIZE_S3_ACCESS_KEY", "DIGITIZE_S3_SECRET_KEY"):
            monkeypatch.delenv(key, raising=False)
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        runtime.cache_clear()

    yield set_store
    runtime.cache_clear()


# ---------------------------------------------------------------- order

# The files that take minutes run first (`make test` runs two pytest workers, each taking
# whole files in this order): a long file started last would leave the other worker idle
# while it finishes. Within a file the order is unchanged.
_LONG_FILES = ("test_faults.py", "test_serve.py", "test_concurrency.py", "test_flow_e2e.py",
               "test_bad_input.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return _LONG_FILES.index(name) if name in _LONG_FILES else len(_LONG_FILES)

    items.sort(key=rank)
