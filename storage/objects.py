"""Object storage: one small protocol, a local-folder backend and an S3 backend.

Every byte the pipeline keeps goes through an ``ObjectStore``. Keys are
``/``-separated relative paths (``originals/2024/abc.pdf``); both backends
reject the same bad keys so that a key that works locally works on S3 too.

The S3 backend is plain S3 on ``minio-py`` (no MinIO-only calls, no
conditional PUTs, which minio-py cannot send anyway) so that MinIO, Ceph RGW,
Swift+s3api, Garage or AWS can serve it.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error, ServerError
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Files move in pieces of this size: a scan of several hundred MB never sits whole in memory.
COPY_CHUNK = 1 << 20


# -- errors ------------------------------------------------------------------


class StoreError(Exception):
    """Base class of every storage error (the messages never contain secrets)."""


class ObjectNotFound(StoreError, KeyError):
    """The key does not exist. A ``KeyError`` so that ``except KeyError`` works too."""

    def __init__(self, key: str, where: str = "") -> None:
        self.key = key
        super().__init__(f"object not found: {key!r}" + (f" in {where}" if where else ""))

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message; keep it readable.
        return str(self.args[0])


class StoreConfigError(StoreError, ValueError):
    """The store settings are incomplete or invalid."""


class StoreAccessDenied(StoreError, PermissionError):
    """The server rejected the credentials, or the user may not do this operation."""


class StoreUnavailable(StoreError, ConnectionError):
    """The server stayed unreachable (or kept failing with 5xx) for the whole retry window."""


class InvalidKey(StoreError, ValueError):
    """A key that could escape the store root or that two backends would treat differently."""


# -- the protocol ------------------------------------------------------------


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    metadata: dict[str, str]
    modified: datetime
    content_type: str = DEFAULT_CONTENT_TYPE


@runtime_checkable
class ObjectStore(Protocol):
    def put(
        self,
        key: str,
        data: bytes | Path,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Store `data`: the bytes, or a local file's bytes, read in pieces."""
        ...

    def get(self, key: str) -> bytes: ...

    def get_file(self, key: str, dest: Path) -> None:
        """Write the object to `dest`, whole or not at all, in pieces."""
        ...

    def exists(self, key: str) -> bool: ...

    def stat(self, key: str) -> ObjectInfo: ...

    def list(self, prefix: str = "") -> Iterator[str]: ...

    def delete(self, key: str) -> None: ...

    def url_for(self, key: str) -> str: ...

    def describe(self) -> str: ...


# -- keys and metadata, shared by both backends ------------------------------

# Reserved names of LocalStore (sidecar tree and temp files); rejected on S3 as
# well so that both backends accept exactly the same keys.
_META_DIR = ".meta"
_TMP_PREFIX = ".~tmp-"
_META_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def validate_key(key: str) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidKey("key must be a non-empty string")
    if key.startswith("/") or re.match(r"^[A-Za-z]:", key):
        raise InvalidKey(f"absolute keys are not allowed: {key!r}")
    if "\\" in key or "\x00" in key:
        raise InvalidKey(f"backslash and NUL are not allowed in keys: {key!r}")
    parts = key.split("/")
    for part in parts:
        # Empty and "." segments would be normalized away by a filesystem and
        # make two S3 keys collide on disk; ".." could escape the root.
        if part in ("", ".", ".."):
            raise InvalidKey(f"empty, '.' or '..' path segments are not allowed: {key!r}")
        if part.startswith(_TMP_PREFIX):
            raise InvalidKey(f"segments starting with {_TMP_PREFIX!r} are reserved: {key!r}")
    if parts[0] == _META_DIR:
        raise InvalidKey(f"the top-level folder {_META_DIR!r} is reserved: {key!r}")
    if len(key.encode()) > 1024:
        raise InvalidKey("keys are limited to 1024 UTF-8 bytes (S3 limit)")
    return key


def _check_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in (metadata or {}).items():
        name = k.lower()
        # HTTP header names are ASCII tokens and S3 lowercases them; refuse the
        # rest now instead of getting them back under another name.
        if not _META_KEY_RE.match(name):
            raise ValueError(f"metadata names must match [a-z0-9][a-z0-9_-]*: {k!r}")
        if not isinstance(v, str):
            raise TypeError(f"metadata values must be str, got {type(v).__name__} for {k!r}")
        if name in out:
            raise ValueError(f"metadata name given twice (names are case-insensitive): {k!r}")
        out[name] = v
    return out


# HTTP headers carry ASCII only (and servers fold or strip surrounding
# whitespace), so Vietnamese file names travel as RFC 2047 encoded-words, the
# form AWS documents for non-ASCII user metadata. Plain ASCII goes as is, so
# other tools still read ordinary values.
_ENCODED_WORD = re.compile(r"^=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=$", re.IGNORECASE)
_SAFE_ASCII = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$")


def encode_meta_value(value: str) -> str:
    if value == "" or (_SAFE_ASCII.match(value) and not _ENCODED_WORD.match(value)):
        return value
    return "=?utf-8?b?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def decode_meta_value(value: str) -> str:
    m = _ENCODED_WORD.match(value)
    if not m:
        return value
    try:
        return base64.b64decode(m.group(1), validate=True).decode("utf-8")
    except ValueError:
        return value  # written by someone else and not ours: leave it as read


# -- local folder ------------------------------------------------------------


def write_atomically(path: Path, data: bytes | Path | BinaryIO, durable: bool = True) -> None:
    """Write `path` whole or not at all, under a temporary name of its own (concurrent
    writers of one path never share a file). `data`: the bytes, or a file or a readable
    stream whose bytes are copied in pieces. `durable`: fsync the file and its folder so
    the write survives a power cut (a store needs it; a cache does not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, Path):
                with data.open("rb") as src:
                    shutil.copyfileobj(src, f, COPY_CHUNK)
            elif isinstance(data, bytes | bytearray | memoryview):
                f.write(data)
            else:
                shutil.copyfileobj(data, f, COPY_CHUNK)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        # fsync the folder so the rename itself survives a power cut.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class LocalStore:
    """Keys are files under ``root``; metadata lives in ``root/.meta/<key>.json``.

    Writes are atomic (temp file in the same folder, fsync, ``os.replace``), so
    a crash leaves either the old or the new object, never half of one. The
    data file is replaced before its sidecar: a reader may briefly see new
    bytes with the old metadata, never metadata for bytes that are not there.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def describe(self) -> str:
        return f"local folder {self.root}"

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = (self.root / key).resolve()
        # Belt and braces against symlinks planted inside the root.
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"key resolves outside the store: {key!r}")
        return path

    def _meta_path(self, key: str) -> Path:
        return self.root / _META_DIR / f"{key}.json"

    def put(
        self,
        key: str,
        data: bytes | Path,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: dict[str, str] | None = None,
    ) -> None:
        path = self._path(key)
        meta = _check_metadata(metadata)
        if path.is_dir():
            raise InvalidKey(f"{key!r} is a folder of other keys in this store")
        write_atomically(path, data if isinstance(data, Path) else bytes(data))
        sidecar = self._meta_path(key)
        if meta or content_type != DEFAULT_CONTENT_TYPE:
            doc = {"content_type": content_type, "metadata": meta}
            write_atomically(sidecar, json.dumps(doc, ensure_ascii=False).encode())
        else:
            # An overwrite replaces metadata, as on S3.
            sidecar.unlink(missing_ok=True)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key, self.describe()) from None

    def get_file(self, key: str, dest: Path) -> None:
        try:
            write_atomically(Path(dest), self._path(key), durable=False)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key, self.describe()) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key, self.describe()) from None
        if not path.is_file():
            raise ObjectNotFound(key, self.describe())
        content_type, meta = DEFAULT_CONTENT_TYPE, {}
        try:
            doc = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
            content_type, meta = doc["content_type"], dict(doc["metadata"])
        except FileNotFoundError:
            pass
        return ObjectInfo(
            key=key,
            size=st.st_size,
            metadata=meta,
            modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            content_type=content_type,
        )

    def list(self, prefix: str = "") -> Iterator[str]:
        # A prefix is a string prefix (as on S3), not a folder: "a/b" matches
        # "a/bc/d". Walk only the deepest folder the prefix pins down.
        base = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root / base if base else self.root
        keys: list[str] = []
        if start.is_dir():
            for dirpath, dirnames, filenames in os.walk(start):
                rel = Path(dirpath).relative_to(self.root).as_posix()
                if rel == ".":
                    rel = ""
                    dirnames[:] = [d for d in dirnames if d != _META_DIR]
                for name in filenames:
                    if name.startswith(_TMP_PREFIX):
                        continue
                    key = f"{rel}/{name}" if rel else name
                    if key.startswith(prefix):
                        keys.append(key)
        # str order is code point order, which is UTF-8 byte order: same as S3.
        yield from sorted(keys)

    def delete(self, key: str) -> None:
        # Deleting a missing key is not an error, as on S3.
        self._path(key).unlink(missing_ok=True)
        self._meta_path(key).unlink(missing_ok=True)

    def url_for(self, key: str) -> str:
        return str(self._path(key))


# -- S3 ------------------------------------------------------------------------

# 5xx and throttling codes worth retrying; 4xx other than these are final.
_RETRY_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"}
_DENIED_CODES = {
    "AccessDenied",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "InvalidSecurity",
    "AuthorizationHeaderMalformed",
}
_NOT_FOUND_CODES = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}


def _meta_headers(metadata: dict[str, str] | None) -> dict[str, str]:
    # Prefix the names ourselves: minio-py would send a bare "content-type"
    # or "cache-control" as that standard header, not as user metadata.
    return {f"x-amz-meta-{k}": encode_meta_value(v)
            for k, v in _check_metadata(metadata).items()}


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ServerError):
        return exc.status_code >= 500
    if isinstance(exc, S3Error):
        status = getattr(exc.response, "status", 0) or 0
        return exc.code in _RETRY_CODES or status >= 500
    # urllib3 wraps refused/reset connections and timeouts in its own errors
    # (MaxRetryError, ProtocolError, ...); plain OSError covers the rest.
    return isinstance(exc, urllib3.exceptions.HTTPError | OSError)


@dataclass
class _RetryPolicy:
    # Long enough to ride out a server restart or a 30 s outage mid-batch.
    window_seconds: float = 60.0
    first_delay: float = 0.2
    max_delay: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


class S3Store:
    """An S3 bucket through ``minio-py``.

    Transient failures (connection refused or reset, timeouts, 5xx) are retried
    twice over: quickly inside urllib3 (``Retry``), then by a loop with
    exponential backoff for up to ``retry_seconds``, so a server that is down
    for half a minute delays a batch but loses nothing. Every retried call is
    idempotent in S3 (PUT of the same bytes, GET, HEAD, DELETE, LIST).
    """

    def __init__(
        self,
        bucket: str,
        endpoint: str,
        access_key: str,
        secret_key: str,
        secure: bool = False,
        region: str = "us-east-1",
        *,
        create_bucket: bool = True,
        retry_seconds: float = 60.0,
        presign_expiry: timedelta = timedelta(hours=1),
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> None:
        parsed = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
        if parsed.scheme:
            secure = parsed.scheme == "https"
        if not parsed.netloc or parsed.path not in ("", "/"):
            raise StoreConfigError(f"S3 endpoint must be host[:port], got {endpoint!r}")
        self.bucket = bucket
        self.endpoint = parsed.netloc
        self.secure = secure
        self.access_key = access_key
        self.presign_expiry = presign_expiry
        self.retry = _RetryPolicy(window_seconds=retry_seconds)
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=32,  # callers use thread pools; don't churn connections
            retries=urllib3.Retry(
                total=3,
                connect=3,
                read=2,
                backoff_factor=0.2,
                status_forcelist=(500, 502, 503, 504),
                allowed_methods=None,  # every S3 call we make is idempotent
                # Hand the last 5xx to minio so it becomes an S3Error with a code.
                raise_on_status=False,
                respect_retry_after_header=True,
            ),
        )
        self._client = Minio(
            self.endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self._bucket_checked = threading.Event()
        self._ensure_bucket(create_bucket)

    def __repr__(self) -> str:
        return f"S3Store({self.describe()!r})"

    def describe(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"s3://{self.bucket} at {scheme}://{self.endpoint}"

    # -- plumbing --

    def _translate(self, exc: S3Error, key: str | None) -> StoreError:
        if exc.code in _NOT_FOUND_CODES and key is not None:
            return ObjectNotFound(key, self.describe())
        if exc.code in _DENIED_CODES:
            return StoreAccessDenied(
                f"{self.describe()} denied {exc.code} for access key {self.access_key!r}: "
                "the access key or secret key is wrong, or this user may not do this "
                "(check DIGITIZE_S3_ACCESS_KEY / DIGITIZE_S3_SECRET_KEY)"
            )
        if exc.code == "NoSuchBucket":
            return StoreConfigError(f"bucket {self.bucket!r} does not exist at {self.endpoint}")
        return StoreError(f"{self.describe()}: {exc.code}: {exc.message}")

    def _call(self, what: str, fn: Callable[[], T], key: str | None = None) -> T:
        deadline = time.monotonic() + self.retry.window_seconds
        delay = self.retry.first_delay
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except S3Error as exc:
                if not _is_transient(exc):
                    raise self._translate(exc, key) from None
                err: BaseException = exc
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                if not _is_transient(exc):
                    raise StoreError(f"{self.describe()}: {what} failed: {exc}") from exc
                err = exc
            if time.monotonic() + delay > deadline:
                raise StoreUnavailable(
                    f"{self.describe()}: {what} failed for {self.retry.window_seconds:.0f}s "
                    f"({attempt} attempts): {type(err).__name__}: {err}"
                ) from err
            log.warning(
                "%s: %s failed (%s), retrying in %.1fs", self.describe(), what,
                type(err).__name__, delay,
            )
            self.retry.sleep(delay)
            delay = min(delay * 2, self.retry.max_delay)

    def _ensure_bucket(self, create: bool) -> None:
        # HEAD bucket is allowed to readers, so a read-only user can open the
        # store; creating is tried only when the bucket is really missing.
        if self._call("check bucket", lambda: self._client.bucket_exists(self.bucket)):
            return
        if not create:
            raise StoreConfigError(f"bucket {self.bucket!r} does not exist at {self.endpoint}")

        def make() -> None:
            try:
                self._client.make_bucket(self.bucket)
            except S3Error as exc:
                # Another worker created it between our HEAD and PUT.
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

        self._call("create bucket", make)

    # -- ObjectStore --

    def put(
        self,
        key: str,
        data: bytes | Path,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: dict[str, str] | None = None,
    ) -> None:
        validate_key(key)
        headers = _meta_headers(metadata)
        payload = data if isinstance(data, Path) else bytes(data)

        def upload() -> None:
            # A fresh stream (and headers) per attempt: a failed attempt may have consumed
            # it. minio sends over 5 MiB as a multipart upload, a few parts in memory at once.
            with (payload.open("rb") if isinstance(payload, Path)
                  else io.BytesIO(payload)) as stream:
                size = (os.fstat(stream.fileno()).st_size if isinstance(payload, Path)
                        else len(payload))
                self._client.put_object(
                    self.bucket, key, stream, size, content_type=content_type,
                    metadata=dict(headers) or None,  # type: ignore[arg-type]
                )

        self._call(f"put {key!r}", upload, key)

    def get(self, key: str) -> bytes:
        validate_key(key)

        def fetch() -> bytes:
            resp = self._client.get_object(self.bucket, key)
            try:
                return resp.read()
            finally:
                resp.close()
                resp.release_conn()

        return self._call(f"get {key!r}", fetch, key)

    def get_file(self, key: str, dest: Path) -> None:
        validate_key(key)

        def fetch() -> None:
            # written whole per attempt: one cut off midway leaves nothing under `dest`
            resp = self._client.get_object(self.bucket, key)
            try:
                write_atomically(Path(dest), resp, durable=False)
            finally:
                resp.close()
                resp.release_conn()

        self._call(f"get {key!r}", fetch, key)

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        obj = self._call(f"stat {key!r}", lambda: self._client.stat_object(self.bucket, key), key)
        meta: dict[str, str] = {}
        for name, value in (obj.metadata or {}).items():
            lname = name.lower()
            if lname.startswith("x-amz-meta-"):
                meta[lname[len("x-amz-meta-"):]] = decode_meta_value(value)
        return ObjectInfo(
            key=key,
            size=int(obj.size or 0),
            metadata=meta,
            modified=obj.last_modified or datetime.now(UTC),
            content_type=obj.content_type or DEFAULT_CONTENT_TYPE,
        )

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        # Resumable: if the server drops mid-listing, start again after the
        # last key we yielded instead of from the top (or failing).
        last: str | None = None
        deadline_reset = True
        deadline = delay = 0.0
        while True:
            try:
                for obj in self._client.list_objects(
                    self.bucket, prefix=prefix or None, recursive=True, start_after=last
                ):
                    if obj.is_dir or obj.object_name is None:
                        continue
                    last = obj.object_name
                    deadline_reset = True
                    yield obj.object_name
                return
            except S3Error as exc:
                if not _is_transient(exc):
                    raise self._translate(exc, None) from None
                err: BaseException = exc
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                if not _is_transient(exc):
                    raise
                err = exc
            if deadline_reset:
                deadline = time.monotonic() + self.retry.window_seconds
                delay = self.retry.first_delay
                deadline_reset = False
            if time.monotonic() + delay > deadline:
                raise StoreUnavailable(f"{self.describe()}: list {prefix!r} failed: {err}")
            self.retry.sleep(delay)
            delay = min(delay * 2, self.retry.max_delay)

    def delete(self, key: str) -> None:
        validate_key(key)
        self._call(
            f"delete {key!r}", lambda: self._client.remove_object(self.bucket, key), key
        )

    def url_for(self, key: str) -> str:
        validate_key(key)
        # Presigning is local computation (no request), except the region
        # lookup, which we avoid by passing the region to the client.
        return self._client.presigned_get_object(self.bucket, key, expires=self.presign_expiry)


# -- settings ----------------------------------------------------------------


class StoreSettings(BaseSettings):
    """Where objects go. Read from ``DIGITIZE_*`` environment variables, and from
    the env file named by ``DIGITIZE_CONFIG`` if set (keep it outside the repo:
    it holds the secret key). Environment variables win over the file.
    """

    model_config = SettingsConfigDict(
        env_prefix="DIGITIZE_",
        env_file_encoding="utf-8",
        # The same env file carries other modules' settings.
        extra="ignore",
    )

    store: str = "./data"
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_retry_seconds: float = 60.0

    def __init__(self, **values: Any) -> None:
        if "_env_file" not in values:
            config = os.environ.get("DIGITIZE_CONFIG")
            if config:
                if not Path(config).expanduser().is_file():
                    raise StoreConfigError(f"DIGITIZE_CONFIG={config} is not a readable file")
                values["_env_file"] = Path(config).expanduser()
        super().__init__(**values)

    @property
    def is_s3(self) -> bool:
        return self.store.startswith("s3://")


def open_store(settings: StoreSettings | None = None) -> ObjectStore:
    settings = settings or StoreSettings()
    if not settings.is_s3:
        return LocalStore(Path(settings.store))
    bucket = settings.store[len("s3://"):].strip("/")
    if not bucket or "/" in bucket:
        raise StoreConfigError(
            "DIGITIZE_STORE must be a folder or s3://BUCKET (no key prefix), "
            f"got {settings.store!r}"
        )
    missing = [
        f"DIGITIZE_{name.upper()}"
        for name in ("s3_endpoint", "s3_access_key", "s3_secret_key")
        if not getattr(settings, name)
    ]
    if missing:
        raise StoreConfigError(
            f"DIGITIZE_STORE={settings.store} needs " + ", ".join(missing)
            + " (in the environment or the file named by DIGITIZE_CONFIG)"
        )
    assert settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key
    return S3Store(
        bucket,
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
        retry_seconds=settings.s3_retry_seconds,
    )
