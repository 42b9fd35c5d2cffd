"""The Swift S3 test server itself: healthy, measured, restartable, read-only user."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path

import pytest
from minio import Minio
from minio.error import S3Error

try:
    from s3server import SwiftS3Server
except ImportError:
    from tests.s3server import SwiftS3Server

pytestmark = pytest.mark.s3


def _client(server: SwiftS3Server, access: str, secret: str) -> Minio:
    return Minio(server.endpoint, access, secret, secure=False, region=server.region)


def test_server_is_healthy_and_fast_enough(s3_server: SwiftS3Server) -> None:
    if not s3_server.running:
        s3_server.restart()
    with urllib.request.urlopen(f"http://{s3_server.endpoint}/healthcheck", timeout=5) as r:
        assert r.read() == b"OK"
    assert s3_server.start_seconds is not None
    # Measured 3-8 s here; a minute means something is wrong (DNS, fsync, ports).
    assert s3_server.start_seconds < 60


def test_readonly_user_reads_but_cannot_write(s3_server: SwiftS3Server) -> None:
    assert s3_server.readonly_supported
    admin = _client(s3_server, s3_server.admin_access_key, s3_server.admin_secret_key)
    reader = _client(s3_server, s3_server.readonly_access_key, s3_server.readonly_secret_key)
    admin.make_bucket("ro-check")
    admin.put_object("ro-check", "a", io.BytesIO(b"a"), 1)
    assert reader.get_object("ro-check", "a").read() == b"a"
    with pytest.raises(S3Error) as info:
        reader.put_object("ro-check", "b", io.BytesIO(b"b"), 1)
    assert info.value.code == "AccessDenied"


def test_own_server_keeps_data_across_restart(tmp_path: Path) -> None:
    # A second, private server: restarts here must not disturb the session one.
    with SwiftS3Server(tmp_path / "swift") as server:
        admin = _client(server, server.admin_access_key, server.admin_secret_key)
        admin.make_bucket("keep")
        admin.put_object("keep", "x", io.BytesIO(b"x"), 1)
        endpoint = server.endpoint
        server.restart()
        assert server.endpoint == endpoint  # rings pin the backend ports; proxy keeps its port
        assert admin.get_object("keep", "x").read() == b"x"
    assert not server.running
