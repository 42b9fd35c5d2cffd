"""The production compose file stays valid and pinned.

Needs Debian's `docker-compose` binary (no Docker engine: `config` only parses
and interpolates). A missing binary fails the test: `make setup` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
MINIO_TAG = "minio/minio:RELEASE.2025-09-07T16-13-09Z"


def _compose(*args: str, env_file: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `make setup`", pytrace=False)
    # Only the env file may supply values: variables exported in the caller's
    # shell would otherwise hide a missing entry in .env.example.
    names = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines() if "=" in line}
    env = {k: v for k, v in os.environ.items() if k not in names}
    return subprocess.run(
        [binary, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE),
         "--env-file", str(env_file), *args],
        capture_output=True, text=True, env=env, timeout=60, cwd=ROOT,
    )


def test_compose_config_is_valid_with_example_env() -> None:
    res = _compose("config", "-q", env_file=ENV_EXAMPLE)
    assert res.returncode == 0, res.stderr


def test_compose_requires_the_secrets(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    res = _compose("config", "-q", env_file=empty)
    assert res.returncode != 0
    assert "in .env" in res.stderr  # our ${VAR:?set VAR in .env} message


def test_images_are_pinned() -> None:
    text = COMPOSE_FILE.read_text()
    assert f"image: {MINIO_TAG}" in text
    res = _compose("config", env_file=ENV_EXAMPLE)
    assert res.returncode == 0, res.stderr
    images = [
        line.split("image:", 1)[1].strip()
        for line in res.stdout.splitlines()
        if line.strip().startswith("image:")
    ]
    assert MINIO_TAG in images
    for image in images:
        if image.startswith("ward-digitize"):
            continue  # built here from the Dockerfile
        assert ":" in image and not image.endswith((":latest", ":3-latest")), image
    assert "python:3.11-slim-bookworm" in (ROOT / "Dockerfile").read_text()


def test_policies_are_valid_s3_policies() -> None:
    for name in ("pipeline-writer", "auditor-reader"):
        doc = json.loads((ROOT / "deploy" / "policies" / f"{name}.json").read_text())
        assert doc["Version"] == "2012-10-17"
        actions = {a for st in doc["Statement"] for a in st["Action"]}
        assert "s3:GetObject" in actions
        if name == "auditor-reader":
            assert not any(a.startswith(("s3:Put", "s3:Delete")) for a in actions)
        else:
            assert "s3:PutObject" in actions
