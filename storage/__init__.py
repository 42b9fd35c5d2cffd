"""Storage: every byte the pipeline writes goes through here."""

from storage.objects import (
    InvalidKey,
    LocalStore,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    S3Store,
    StoreAccessDenied,
    StoreConfigError,
    StoreError,
    StoreSettings,
    StoreUnavailable,
    open_store,
)

__all__ = [
    "InvalidKey",
    "LocalStore",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "S3Store",
    "StoreAccessDenied",
    "StoreConfigError",
    "StoreError",
    "StoreSettings",
    "StoreUnavailable",
    "open_store",
]
