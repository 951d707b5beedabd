"""The one way to build the path of an internal call: a trusted literal template, every user value percent-encoded.

A name pasted into a path unencoded changes the request: `?` starts a query, `#` a fragment, `/` and `..` move
it to another route, a control character makes the URL invalid. So every path one service sends another is
`build_path("/api/v1alpha1/namespaces/{namespace}/...", namespace=...)`, each value encoded as one segment
(`quote(value, safe="")`), and query values go through httpx's `params=`. `Upstreams` refuses any other path
that would leave its route (`unsafe_path_problem`), so a forgotten encoding fails loudly instead of reaching the
upstream.
"""

from __future__ import annotations

import re
from string import Formatter
from urllib.parse import quote, unquote

from warden_common.errors import BadRequest


class UnsafePath(BadRequest):
    """A path for an internal call that would not stay on its route; never sent."""

    code = "unsafe_path"


_DOT_SEGMENTS = frozenset({".", ".."})
# Characters with a meaning in a URL's path or beyond it, and what no request line may carry.
_FORBIDDEN = re.compile(r"[?#\\\x00-\x20\x7f]|%2[fF]|%5[cC]")


def encode_segment(value: str) -> str:
    """`value` as exactly one path segment; `UnsafePath` for values that cannot be one (empty, `.`, `..`, or
    holding a `/`: servers decode `%2F` before routing, so an encoded slash still splits the segment)."""
    if not isinstance(value, str) or not value or value in _DOT_SEGMENTS or "/" in value:
        raise UnsafePath(f"{value!r} cannot be a path segment")
    return quote(value, safe="")


def build_path(template: str, **values: str) -> str:
    """`template` with each `{field}` replaced by its value as one encoded segment.

    `template` must be a literal of the caller (it is trusted as written); e.g.
    `build_path("/seldon/{namespace}/{name}/v1/models/{model}:predict", namespace=ns, name=name, model=m)`.
    """
    parts: list[str] = []
    used: set[str] = set()
    for literal, field, spec, conversion in Formatter().parse(template):
        parts.append(literal)
        if field is None:
            continue
        if spec or conversion or field not in values:
            raise ValueError(f"template {template!r}: {{{field}}} needs a plain value (given: {sorted(values)})")
        parts.append(encode_segment(values[field]))
        used.add(field)
    if unused := set(values) - used:
        raise ValueError(f"template {template!r} has no field {', '.join(sorted(unused))}")
    return "".join(parts)


def encode_subpath(subpath: str) -> str:
    """A matched `{rest:path}` (decoded, `/`-separated) re-encoded segment by segment; `UnsafePath` for dot
    segments. Empty segments are kept, so `""`, `/` and `/a/` keep their shape."""
    segments = subpath.split("/")
    if any(segment in _DOT_SEGMENTS for segment in segments):
        raise UnsafePath(f"the path {subpath!r} has a '.' or '..' segment")
    return "/".join(quote(segment, safe="") for segment in segments)


def unsafe_path_problem(path: str) -> str | None:
    """Why `path` would leave the route it names (None when it stays): it must be an absolute path (not a URL,
    not `//host`), without query, fragment, backslash, control character or space, and no segment may be `.` or
    `..` even once decoded, and no `/` or backslash may hide encoded in a segment."""
    if not path.startswith("/") or path.startswith("//"):
        return "must be an absolute path on the upstream (start with a single '/'), not a URL"
    if found := _FORBIDDEN.search(path):
        return f"must not contain {found.group()!r} (percent-encode values with build_path)"
    if any(unquote(segment) in _DOT_SEGMENTS for segment in path.split("/")):
        return "must not have '.' or '..' segments"
    return None


def check_path(path: str) -> str:
    """`path` if it stays on its route, else `UnsafePath` naming the problem."""
    if problem := unsafe_path_problem(path):
        raise UnsafePath(f"refused to call {path!r}: the path {problem}", details={"path": path})
    return path
