"""OpenSearch index names that cannot collide across namespaces and deployments.

The original logger joined names with hyphens (`inference-log-<ns>-<deployment>-<endpoint>`), so namespace
`a-b` + deployment `c` and namespace `a` + deployment `b-c` shared an index, and a prefix search for `model`
matched `model-v2`. Here each component is escaped so that it never contains the separator `.`:

    <prefix>inference-log.<enc(namespace)>.<enc(deployment)>

`enc` keeps `[a-z0-9-]` and writes every other byte of the UTF-8 name as `_xx` (lower-case hex), so `.` is
`_2e`, `_` is `_5f`, `A` is `_41`: the encoding is injective and its output is a valid index name part. The
endpoint is a keyword field inside the index, not part of the name. A name longer than OpenSearch allows
(255 bytes) gets a SHA-256 suffix instead of its tail; the full names stay in every document's fields and
every search filters on them too, so even that case cannot mix deployments up.
"""

from __future__ import annotations

import hashlib

from warden_common.logstore.port import DeploymentRef

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_MAX_INDEX_BYTES = 255
INSTANCES = "inference-log"
PAYLOADS = "inference-payload"


def encode_component(name: str) -> str:
    """Escape `name` so it contains only `[a-z0-9_-]`, never `.`, and decodes back uniquely."""
    if not name:
        return "_"  # no escape sequence is a lone `_`, so the empty name is distinct from every other
    out: list[str] = []
    for char in name:
        if char in _KEEP:
            out.append(char)
        else:
            out.extend(f"_{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def index_family(prefix: str, kind: str) -> str:
    """`<prefix><kind>`: the part every index of one kind shares (the index template's pattern is this + `.*`)."""
    return f"{prefix}{kind}"


def index_name(prefix: str, kind: str, ref: DeploymentRef) -> str:
    """The index holding documents of `kind` (INSTANCES or PAYLOADS) for one deployment."""
    name = f"{index_family(prefix, kind)}.{encode_component(ref.namespace)}.{encode_component(ref.deployment)}"
    if len(name.encode()) <= _MAX_INDEX_BYTES:
        return name
    digest = hashlib.sha256(f"{ref.namespace}\x00{ref.deployment}".encode()).hexdigest()[:32]
    return f"{name.encode()[: _MAX_INDEX_BYTES - 34].decode('ascii')}.~{digest}"


def index_pattern(prefix: str, kind: str, namespace: str | None, deployment: str | None) -> str:
    """Indices to search: one deployment, every deployment of a namespace, or everything of `kind`."""
    if namespace is not None and deployment is not None:
        return index_name(prefix, kind, DeploymentRef(namespace, deployment))
    if namespace is not None:
        # The `.` after the namespace ends the component: `ns-a.*` never matches namespace `ns-ab`.
        return f"{index_family(prefix, kind)}.{encode_component(namespace)}.*"
    return f"{index_family(prefix, kind)}.*"
