"""One contract for every ObjectStore backend: what LocalStore does, S3Store does.

The S3 side runs against a real Swift+s3api server (tests/s3server.py), so
credentials, restarts and outages are real, not mocked.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.objects import (
    InvalidKey,
    LocalStore,
    ObjectNotFound,
    ObjectStore,
    S3Store,
    StoreAccessDenied,
    StoreConfigError,
    StoreSettings,
    open_store,
)

StoreFactory = Callable[[], ObjectStore]

VIETNAMESE_META = {
    "filename": "Giấy khai sinh - Nguyễn Thị Hòa (bản sao).pdf",
    "ward": "Phường Bến Nghé, Quận 1",
    "plain": "scan-0001.pdf",
    # Things an encoder could get wrong: our own marker as a literal value,
    # surrounding spaces (HTTP strips them), percent signs, empty.
    "marker": "=?utf-8?b?SGVsbG8=?=",
    "spaces": "  Đắk Lắk  ",
    "percent": "100% đúng",
    "empty": "",
    # Names that minio-py would otherwise send as standard HTTP headers.
    "content-type": "not/the-real-one",
    "cache-control": "ghi chú",
}


def _settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> StoreSettings:
    for name in list(os.environ):
        if name.startswith("DIGITIZE_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return StoreSettings()


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> StoreFactory:
    """A factory: each call opens a NEW client/instance on the same data."""
    if backend == "local":
        env = {"DIGITIZE_STORE": str(tmp_path / "store")}
    else:
        env = request.getfixturevalue("s3_store_settings")
    settings = _settings(monkeypatch, env)
    return lambda: open_store(settings)


@pytest.fixture
def store(make_store: StoreFactory) -> ObjectStore:
    return make_store()


# ------------------------------------------------------------------ basics


def test_opens_the_right_backend(store: ObjectStore, backend: str) -> None:
    assert isinstance(store, ObjectStore)
    assert isinstance(store, LocalStore if backend == "local" else S3Store)
    assert "testing" not in store.describe() and "testing" not in repr(store)


def test_round_trip_is_byte_exact(store: ObjectStore) -> None:
    blob = bytes(range(256)) * 64 + b"\r\n\x00end"
    store.put("originals/2024/a.bin", blob)
    assert store.get("originals/2024/a.bin") == blob
    store.put("empty", b"")
    assert store.get("empty") == b""
    big = os.urandom(6 * 1024 * 1024)  # over minio's 5 MiB multipart threshold
    store.put("big.bin", big)
    assert store.get("big.bin") == big


def test_files_go_in_and_out_whole(store: ObjectStore, tmp_path: Path) -> None:
    """put of a file / get_file: what a large original travels by, a piece at a time."""
    big = os.urandom(11 * 1024 * 1024 + 7)  # several of minio's 5 MiB parts, an odd tail
    source = tmp_path / "scan.pdf"
    source.write_bytes(big)
    store.put("originals/big", source, metadata={"source-name": "Giấy khai sinh.pdf"})
    assert store.stat("originals/big").size == len(big)
    assert store.stat("originals/big").metadata == {"source-name": "Giấy khai sinh.pdf"}
    dest = tmp_path / "cache" / "big"
    store.get_file("originals/big", dest)
    assert dest.read_bytes() == big
    # a missing key leaves nothing behind at the destination, not even an empty file
    with pytest.raises(ObjectNotFound):
        store.get_file("originals/missing", tmp_path / "cache" / "missing")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["big"]


def test_non_ascii_keys(store: ObjectStore) -> None:
    key = "hồ-sơ/Phường Bến Nghé/Nguyễn Thị Hòa.pdf"
    store.put(key, b"%PDF")
    assert store.get(key) == b"%PDF"
    assert list(store.list("hồ-sơ/")) == [key]


def test_metadata_with_vietnamese_text_round_trips(store: ObjectStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    store.put("doc.pdf", b"%PDF-1.4", content_type="application/pdf", metadata=VIETNAMESE_META)
    info = store.stat("doc.pdf")
    assert info.key == "doc.pdf"
    assert info.size == 8
    assert info.metadata == VIETNAMESE_META
    assert info.content_type == "application/pdf"
    assert info.modified.tzinfo is not None
    assert before <= info.modified <= datetime.now(UTC) + timedelta(seconds=5)


def test_metadata_names_are_checked(store: ObjectStore) -> None:
    with pytest.raises(ValueError):
        store.put("x", b"1", metadata={"tên tệp": "x"})


def test_exists_and_missing_keys(store: ObjectStore) -> None:
    assert not store.exists("nope/missing.txt")
    with pytest.raises(ObjectNotFound):
        store.get("nope/missing.txt")
    with pytest.raises(KeyError):  # ObjectNotFound is a KeyError
        store.stat("nope/missing.txt")
    store.put("nope/present.txt", b"x")
    assert store.exists("nope/present.txt")
    # A "folder" is not an object.
    assert not store.exists("nope")


@pytest.mark.parametrize("key", ["../escape", "/etc/passwd", "a/../../b", "a//b", "./a", ""])
def test_bad_keys_are_rejected(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x")
    with pytest.raises(InvalidKey):
        store.get(key)


def test_overwrite_replaces_data_and_metadata(store: ObjectStore) -> None:
    store.put("k", b"first", content_type="text/plain", metadata={"v": "một"})
    store.put("k", b"second!")
    assert store.get("k") == b"second!"
    info = store.stat("k")
    assert info.size == 7
    assert info.metadata == {}
    assert list(store.list("k")) == ["k"]


def test_delete(store: ObjectStore) -> None:
    store.put("d/one", b"1", metadata={"a": "b"})
    store.put("d/two", b"2")
    store.delete("d/one")
    assert not store.exists("d/one")
    assert list(store.list("d/")) == ["d/two"]
    store.delete("d/one")  # deleting a missing key is a no-op, as on S3
    store.put("d/one", b"again")  # and no stale metadata comes back
    assert store.stat("d/one").metadata == {}


def test_list_prefix_sorted_and_over_1000_keys(store: ObjectStore) -> None:
    keys = [f"many/{i % 7}/{i:05d}.txt" for i in range(1100)]
    # Threads: the S3 server fsyncs every PUT, so sequential would take ~20 s.
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: store.put(k, k.encode()), keys))
    store.put("manyother.txt", b"o")
    store.put("a-first", b"a")
    listed = list(store.list("many/"))
    assert listed == sorted(keys)
    assert list(store.list("many")) == sorted([*keys, "manyother.txt"])
    assert list(store.list("many/3/")) == sorted(k for k in keys if k.startswith("many/3/"))
    everything = list(store.list(""))
    assert everything == sorted([*keys, "manyother.txt", "a-first"])
    assert list(store.list("nothing-here/")) == []


def test_url_for_gives_the_bytes(store: ObjectStore, backend: str) -> None:
    store.put("u/file.txt", b"hello")
    url = store.url_for("u/file.txt")
    if backend == "local":
        assert Path(url).read_bytes() == b"hello"
    else:
        assert url.startswith("http://")
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == b"hello"


# ----------------------------------------------------------- durability


def test_data_survives_a_new_instance_or_server_restart(
    make_store: StoreFactory, backend: str, request: pytest.FixtureRequest
) -> None:
    first = make_store()
    first.put("keep/me.txt", b"kept", metadata={"ten": "Lê Văn Tám"})
    if backend == "s3":
        server = request.getfixturevalue("s3_server")
        server.restart()
    second = make_store()
    assert second.get("keep/me.txt") == b"kept"
    assert second.stat("keep/me.txt").metadata == {"ten": "Lê Văn Tám"}
    assert list(second.list("keep/")) == ["keep/me.txt"]


# ------------------------------------------------------------- S3 only


@pytest.mark.s3
def test_s3_put_survives_a_short_outage(s3_server, s3_store_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(_settings(monkeypatch, s3_store_settings))
    store.put("batch/0", b"before")
    s3_server.stop()
    result: dict[str, object] = {}

    def writer() -> None:
        try:
            t0 = time.monotonic()
            store.put("batch/1", "trong lúc mất kết nối".encode(), metadata={"n": "một"})
            result["seconds"] = time.monotonic() - t0
        except BaseException as exc:  # reported to the main thread below
            result["error"] = exc

    thread = threading.Thread(target=writer)
    try:
        thread.start()
        time.sleep(5)
        assert thread.is_alive(), f"put did not wait for the server: {result}"
    finally:
        s3_server.start()
    thread.join(60)
    assert not thread.is_alive()
    assert "error" not in result, result.get("error")
    assert float(result["seconds"]) >= 5  # type: ignore[arg-type]
    assert store.get("batch/1") == "trong lúc mất kết nối".encode()
    assert store.stat("batch/1").metadata == {"n": "một"}


@pytest.mark.s3
def test_s3_wrong_secret_is_rejected_clearly(s3_store_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = {**s3_store_settings, "DIGITIZE_S3_SECRET_KEY": "not-the-secret-42"}
    with pytest.raises(StoreAccessDenied) as info:
        open_store(_settings(monkeypatch, env))
    message = str(info.value)
    assert "not-the-secret-42" not in message
    assert "DIGITIZE_S3_SECRET_KEY" in message and "test:tester" in message


@pytest.mark.s3
def test_s3_missing_credentials_are_named(s3_store_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in s3_store_settings.items() if k != "DIGITIZE_S3_ACCESS_KEY"}
    with pytest.raises(StoreConfigError, match="DIGITIZE_S3_ACCESS_KEY") as info:
        open_store(_settings(monkeypatch, env))
    assert s3_store_settings["DIGITIZE_S3_SECRET_KEY"] not in str(info.value)
    settings = _settings(monkeypatch, s3_store_settings)
    assert "testing" not in repr(settings) and "testing" not in str(settings.model_dump())


@pytest.mark.s3
def test_s3_read_only_user(s3_server, s3_store_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert s3_server.readonly_supported
    writer = open_store(_settings(monkeypatch, s3_store_settings))
    writer.put("r/a.txt", b"A", metadata={"x": "ý"})
    ro_env = {
        **s3_store_settings,
        "DIGITIZE_S3_ACCESS_KEY": s3_server.readonly_access_key,
        "DIGITIZE_S3_SECRET_KEY": s3_server.readonly_secret_key,
    }
    reader = open_store(_settings(monkeypatch, ro_env))  # bucket exists: no create attempted
    assert reader.get("r/a.txt") == b"A"
    assert reader.stat("r/a.txt").metadata == {"x": "ý"}
    assert list(reader.list("r/")) == ["r/a.txt"]
    with pytest.raises(StoreAccessDenied):
        reader.put("r/b.txt", b"B")
    with pytest.raises(StoreAccessDenied):
        reader.delete("r/a.txt")
    assert writer.get("r/a.txt") == b"A"
    # A reader cannot create a missing bucket either, and says so.
    with pytest.raises(StoreAccessDenied):
        open_store(_settings(monkeypatch, {**ro_env, "DIGITIZE_STORE": "s3://t-missing-bucket"}))


def test_settings_from_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "digitize.env"
    env_file.write_text(
        "DIGITIZE_STORE=s3://records\nDIGITIZE_S3_ENDPOINT=minio:9000\n"
        "DIGITIZE_S3_ACCESS_KEY=pipeline\nDIGITIZE_S3_SECRET_KEY=s3cr3t-value\n"
        "DIGITIZE_INBOX=/srv/inbox\n",  # other modules' settings share the file
        encoding="utf-8",
    )
    settings = _settings(
        monkeypatch, {"DIGITIZE_CONFIG": str(env_file), "DIGITIZE_S3_ACCESS_KEY": "from-env"}
    )
    assert settings.is_s3 and settings.s3_endpoint == "minio:9000"
    assert settings.s3_access_key == "from-env"  # the environment wins over the file
    assert settings.s3_secret_key is not None
    assert settings.s3_secret_key.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings)
    monkeypatch.setenv("DIGITIZE_CONFIG", str(tmp_path / "absent.env"))
    with pytest.raises(StoreConfigError, match="DIGITIZE_CONFIG"):
        StoreSettings()
    with pytest.raises(StoreConfigError, match="s3://BUCKET"):
        open_store(StoreSettings(_env_file=None, store="s3://a/b"))  # type: ignore[call-arg]
