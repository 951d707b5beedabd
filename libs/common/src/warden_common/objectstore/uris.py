"""Which model URIs make sense, checked before anything is deployed (the gateway) or fetched (serving).

Warden's object stores read local paths, `file://` and `s3://` (`WARDEN_FETCHED_SCHEMES`). The other schemes of
Seldon's and KServe's storage initializer (`gs://`, `https://`, `pvc://`, ...) are accepted as well: manifests
written for Seldon keep validating, and serving says which URI it cannot fetch. Anything else — an unknown scheme,
`s3:/bucket` (one slash), a URI without its bucket or host, blanks inside — is not a model URI.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WARDEN_FETCHED_SCHEMES = ("file", "s3")
"""Besides plain paths: what `object_store_for` has an adapter for."""
KNOWN_SCHEMES = (*WARDEN_FETCHED_SCHEMES, "gs", "https", "http", "pvc", "hdfs", "webhdfs")
"""What Seldon Core's / KServe's storage initializer understands."""

_NEEDS_LOCATION = {"s3": "bucket", "gs": "bucket", "https": "host", "http": "host", "pvc": "claim name",
                   "hdfs": "host", "webhdfs": "host"}  # fmt: skip


def accepted_uri_forms() -> str:
    return "a local path or " + ", ".join(f"{scheme}://" for scheme in KNOWN_SCHEMES)


def model_uri_problem(uri: object) -> str | None:
    """Why `uri` is not a usable model URI (naming the accepted forms), or None."""
    if not isinstance(uri, str) or not uri.strip():
        return "the URI of the model is required"
    if any(ch.isspace() or not ch.isprintable() for ch in uri):
        return f"{uri!r} is not a model URI: it contains blanks or control characters"
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        return f"{uri!r} is not a model URI: {exc}"
    scheme = uri.split(":", 1)[0] if parts.scheme else ""  # as written: the object stores match it exactly
    if not scheme:
        return None  # a path, relative or absolute
    if scheme not in KNOWN_SCHEMES:
        return f"{uri!r} has the unsupported scheme {scheme}://; use {accepted_uri_forms()}"
    if not uri[len(scheme) + 1 :].startswith("//"):
        return f"{uri!r} is malformed: write {scheme}://<location>/<path>"
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.strip("/"):
            return f"{uri!r} is malformed: a file URI is file:///absolute/path"
        return None
    if not parts.netloc:
        return (
            f"{uri!r} is malformed: it names no {_NEEDS_LOCATION[scheme]} ({scheme}://<{_NEEDS_LOCATION[scheme]}>/...)"
        )
    return None
