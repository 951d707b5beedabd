"""Naming rules for everything a name is given to, and the typed path parameters that check them at the door.

Namespaces and deployments live on as Kubernetes objects in distributed mode, so they obey Kubernetes' rules:
namespaces and SeldonDeployments are DNS-1123 labels, InferenceServices DNS-1035 labels (KServe's rule). Model
names and versions on the V2 data plane (`/v2/models/{model}[/versions/{version}]`) follow the Kubernetes
label-name rule: 1-63 letters, digits, '-', '_' or '.', alphanumeric at both ends. MLServer itself accepts any
string, but every model Warden serves is named after a graph node or a deployment, which fit that rule; a name
outside it cannot name a served model, so it is refused before any work.

The `*Name` aliases are FastAPI path parameters: a bad value is a 422 naming the parameter (`path.name: must
consist of ...`) before the route runs, and each OpenAPI document shows the pattern and length limit.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Path, Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")

MAX_LABEL_LENGTH = 63
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
MAX_ACCOUNT_NAME_LENGTH = 128


def dns1123_label_problem(name: object) -> str | None:
    """Why `name` is not a DNS-1123 label (namespaces, SeldonDeployments), or None when it is one."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > MAX_LABEL_LENGTH:
        return f"must be at most {MAX_LABEL_LENGTH} characters (has {len(name)})"
    if not _DNS1123_LABEL.match(name):
        return "must consist of lower case letters, digits and '-', and start and end with a letter or digit"
    return None


def dns1035_label_problem(name: object) -> str | None:
    """Like `dns1123_label_problem`, but must start with a letter (KServe's rule for InferenceService names)."""
    problem = dns1123_label_problem(name)
    if problem is None and isinstance(name, str) and not _DNS1035_LABEL.match(name):
        return "must start with a lower case letter"
    return problem


def model_name_problem(name: object) -> str | None:
    """Why `name` cannot name a model or model version on the data plane (see the module doc), or None."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > MAX_LABEL_LENGTH:
        return f"must be at most {MAX_LABEL_LENGTH} characters (has {len(name)})"
    if not _LABEL_NAME.match(name):
        return "must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit"
    return None


def account_name_problem(name: object) -> str | None:
    """Why `name` is not a user, service client or group name of the built-in identity provider, or None."""
    if not isinstance(name, str) or not _ACCOUNT_NAME.match(name):
        return "must be 1-128 characters of letters, digits, '.', '_', '@', '-', starting with a letter or digit"
    return None


def qualified_name_problem(key: object) -> str | None:
    """Why `key` is not a valid label/annotation key (`[prefix/]name`), or None."""
    if not isinstance(key, str) or not key:
        return "must be a non-empty string"
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return "prefix must be a DNS subdomain (lower case, at most 253 characters)"
    if not name or len(name) > MAX_LABEL_LENGTH or not _LABEL_NAME.match(name):
        return "name part must be 1-63 characters of letters, digits, '-', '_' or '.', alphanumeric at both ends"
    return None


def label_value_problem(value: object) -> str | None:
    """Why `value` is not a valid label value, or None."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_LABEL_LENGTH or not _LABEL_VALUE.match(value):
        return "must be at most 63 characters of letters, digits, '-', '_' or '.', alphanumeric at both ends"
    return None


def _validator(rule: Callable[[object], str | None], error_type: str) -> AfterValidator:
    def check(value: str) -> str:
        problem = rule(value)
        if problem is not None:
            # A custom error keeps the message as written (a ValueError would be prefixed with "Value error, ").
            raise PydanticCustomError(error_type, problem)
        return value

    return AfterValidator(check)


def _path(description: str, pattern: re.Pattern[str], max_length: int = MAX_LABEL_LENGTH) -> Any:
    # The rule is enforced by the validator (so the 422 says why in words); the schema shows it for clients.
    return Path(description=description, json_schema_extra={"pattern": pattern.pattern, "maxLength": max_length})


NamespaceName = Annotated[
    str,
    _path("Namespace: a DNS-1123 label (lower case letters, digits, '-'; at most 63).", _DNS1123_LABEL),
    _validator(dns1123_label_problem, "dns1123_label"),
]
SeldonDeploymentName = Annotated[
    str,
    _path("SeldonDeployment name: a DNS-1123 label (lower case letters, digits, '-'; at most 63).", _DNS1123_LABEL),
    _validator(dns1123_label_problem, "dns1123_label"),
]
InferenceServiceName = Annotated[
    str,
    _path("InferenceService name: a DNS-1035 label (starts with a letter; at most 63).", _DNS1035_LABEL),
    _validator(dns1035_label_problem, "dns1035_label"),
]
DeploymentName = Annotated[
    str,
    _path("Deployment name (SeldonDeployment or InferenceService): a DNS-1123 label (at most 63).", _DNS1123_LABEL),
    _validator(dns1123_label_problem, "dns1123_label"),
]
"""Where the kind is not known (the data plane's `/seldon/{namespace}/{name}`): the rule both kinds satisfy."""
DetectorName = Annotated[
    str,
    _path("Detector name: a DNS-1123 label (lower case letters, digits, '-'; at most 63).", _DNS1123_LABEL),
    _validator(dns1123_label_problem, "dns1123_label"),
]
"""An outlier detector, drift detector or metrics server of a deployment (Seldon Deploy ran each as a Kubernetes
service of that name, so the same rule)."""
BatchJobName = Annotated[
    str,
    _path("Batch job name: a DNS-1123 label (lower case letters, digits, '-'; at most 63).", _DNS1123_LABEL),
    _validator(dns1123_label_problem, "dns1123_label"),
]
"""A batch job of a deployment (Seldon Deploy named each after its Argo workflow: `<deployment>-<5 characters>`)."""
ModelName = Annotated[
    str,
    _path("Model name: letters, digits, '-', '_', '.'; alphanumeric at both ends; at most 63.", _LABEL_NAME),
    _validator(model_name_problem, "model_name"),
]
ModelVersion = Annotated[
    str,
    _path("Model version: letters, digits, '-', '_', '.'; alphanumeric at both ends; at most 63.", _LABEL_NAME),
    _validator(model_name_problem, "model_version"),
]

ExplanationId = Annotated[uuid.UUID, Path(description="An explanation's id: the UUID `explain` answered with.")]
"""One stored explanation of a deployment (`.../explanations/{explanation_id}`)."""

DEPLOYMENT_NAMES: dict[str, Any] = {"SeldonDeployment": SeldonDeploymentName, "InferenceService": InferenceServiceName}
"""The typed `{name}` path parameter of each deployment kind."""

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def with_param_types(endpoint: Endpoint, **types: Any) -> Endpoint:
    """Give `endpoint`'s named parameters these annotations (FastAPI reads them from the signature).

    For routes built in a loop over deployment kinds: the `{name}` type differs per kind, and a closure
    variable cannot be written as an annotation that FastAPI resolves.
    """
    signature = inspect.signature(endpoint)
    unknown = set(types) - set(signature.parameters)
    if unknown:
        raise TypeError(f"{endpoint.__name__} has no parameter {', '.join(sorted(unknown))}")
    params = [p.replace(annotation=types.get(p.name, p.annotation)) for p in signature.parameters.values()]
    endpoint.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return endpoint


async def path_params_checked(request: Request) -> None:
    """App-wide dependency (`create_service_app`): the route's path parameters are validated before anything else.

    FastAPI validates path parameters only after it has run the route's dependencies, which may open a store or
    answer 503 when one is missing; names are checked at the door, so a bad one is always the 422 and nothing runs.
    """
    route = request.scope.get("route")
    # A route without other dependencies (the data plane's) validates its path first anyway: no need to pay twice.
    if not isinstance(route, APIRoute) or not route.dependant.path_params:
        return
    if any(dependency.call is not path_params_checked for dependency in route.dependant.dependencies):
        _, errors = request_params_to_args(route.dependant.path_params, request.path_params)
        if errors:
            raise RequestValidationError(errors)


AccountName = Annotated[
    str,
    _path(
        "User or service client name: letters, digits, '.', '_', '@', '-'; starts alphanumeric; at most 128.",
        _ACCOUNT_NAME,
        MAX_ACCOUNT_NAME_LENGTH,
    ),
    _validator(account_name_problem, "account_name"),
]
