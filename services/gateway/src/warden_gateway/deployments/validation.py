"""Everything that makes a submitted object acceptable: schema of the real CRD, semantics, metadata vs path."""

from __future__ import annotations

from typing import Any

from warden_common.errors import Unprocessable
from warden_gateway.crds.validator import Problem, prune_nulls, schema_problems
from warden_gateway.deployments.kinds import DeploymentKind
from warden_gateway.deployments.semantics import metadata_problems, semantic_problems

_MESSAGE_PROBLEMS = 10  # the message names the first few; `details` lists every one


def problems_of(kind: DeploymentKind, obj: dict[str, Any], namespace: str, name: str | None = None) -> list[Problem]:
    """Every problem of `obj` (null-pruned, without status) as a `kind` in `namespace`, sorted by path."""
    found = {
        *metadata_problems(kind, obj, namespace, name),
        *schema_problems(kind.crd_name, obj),
        *semantic_problems(kind, obj),
    }
    return sorted(found)


def normalize(kind: DeploymentKind, body: Any, namespace: str, name: str | None = None) -> dict[str, Any]:
    """The object to store: nulls pruned, `status` dropped (it is observed, never submitted), unknown fields kept.

    Raises `Unprocessable` listing every problem with its path.
    """
    if not isinstance(body, dict):
        raise Unprocessable(f"the body must be a {kind.kind} object, got {type(body).__name__}")
    obj: dict[str, Any] = prune_nulls({k: v for k, v in body.items() if k != "status"})
    problems = problems_of(kind, obj, namespace, name)
    if problems:
        shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:_MESSAGE_PROBLEMS])
        more = f" (and {len(problems) - _MESSAGE_PROBLEMS} more)" if len(problems) > _MESSAGE_PROBLEMS else ""
        raise Unprocessable(
            f"invalid {kind.kind}: {len(problems)} problem(s): {shown}{more}",
            code="invalid_spec",
            details=[p.to_dict() for p in problems],
        )
    return obj
