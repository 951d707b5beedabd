"""The object-store port: fetch model artefacts (a file or a folder) from where their URI points.

    store = object_store_for("s3://models/iris", ObjectStoreSettings(endpoint_url="http://127.0.0.1:5555"))
    local_dir = await store.fetch("s3://models/iris", Path("/tmp/iris"))

Adapters: `LocalObjectStore` (plain paths and `file://`), `S3ObjectStore` (`s3://`, boto3, endpoint configurable).
"""

from __future__ import annotations

from warden_common.objectstore.factory import object_store_for
from warden_common.objectstore.local import LocalObjectStore
from warden_common.objectstore.port import (
    ObjectNotFound,
    ObjectStore,
    ObjectStoreSettings,
    ObjectStoreUnavailable,
    UnsupportedUri,
)
from warden_common.objectstore.s3 import S3ObjectStore
from warden_common.objectstore.uris import model_uri_problem

__all__ = [
    "LocalObjectStore",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectStoreSettings",
    "ObjectStoreUnavailable",
    "S3ObjectStore",
    "UnsupportedUri",
    "model_uri_problem",
    "object_store_for",
]
