"""Pick the adapter for a URI."""

from __future__ import annotations

from warden_common.objectstore.local import LocalObjectStore
from warden_common.objectstore.port import ObjectStore, ObjectStoreSettings, UnsupportedUri
from warden_common.objectstore.s3 import S3ObjectStore


def object_store_for(uri: str, settings: ObjectStoreSettings | None = None) -> ObjectStore:
    """The adapter that reads `uri`: S3 for `s3://`, the filesystem for paths and `file://`; else `UnsupportedUri`."""
    for store in (S3ObjectStore(settings), LocalObjectStore()):
        if store.handles(uri):
            return store
    scheme = uri.split("://", 1)[0]
    raise UnsupportedUri(f"no object store reads {scheme}:// URIs (supported: local paths, file://, s3://)")
