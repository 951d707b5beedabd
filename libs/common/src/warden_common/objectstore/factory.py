"""Pick the adapter for a URI."""

from __future__ import annotations

from warden_common.objectstore.local import LocalObjectStore
from warden_common.objectstore.port import ObjectStore, ObjectStoreSettings, UnsupportedUri
from warden_common.objectstore.s3 import S3ObjectStore
from warden_common.objectstore.uris import WARDEN_FETCHED_SCHEMES


def object_store_for(uri: str, settings: ObjectStoreSettings | None = None) -> ObjectStore:
    """The adapter that reads `uri`: S3 for `s3://`, the filesystem for paths and `file://`; else `UnsupportedUri`."""
    for store in (S3ObjectStore(settings), LocalObjectStore()):
        if store.handles(uri):
            return store
    scheme = uri.split("://", 1)[0]
    supported = ", ".join(f"{fetched}://" for fetched in WARDEN_FETCHED_SCHEMES)
    raise UnsupportedUri(f"Warden's runtime cannot fetch {scheme}:// URIs (it reads local paths, {supported})")
