"""Inference events from Seldon Core executors (protocols.md §1) and KServe loggers (§2).

Correlation: a Seldon request, its response and its feedback share the `requestid` extension (the
Seldon PUID) while each has its own `id`; KServe has no `requestid` and reuses the same `id` for a
request and its response. `correlation_id` hides the difference.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from warden_common.codec import Event
from warden_common.events.protocols import (
    ExecutorRequest,
    ExecutorResponse,
    KServeRequest,
    KServeResponse,
    SeldonFeedback,
)
from warden_common.events.registry import EventSpec

SELDON_REQUEST = "io.seldon.serving.inference.request"
SELDON_RESPONSE = "io.seldon.serving.inference.response"
SELDON_FEEDBACK = "io.seldon.serving.feedback"
KSERVE_REQUEST = "org.kubeflow.serving.inference.request"
KSERVE_RESPONSE = "org.kubeflow.serving.inference.response"

DEPLOYMENT_UID_EXTENSION = "deploymentuid"
"""Warden's own extension (its serving runtime sets it; real executors do not): the `metadata.uid` of the
deployment that served the call, so the log tells a deployment from an earlier one of the same name."""

LOAD_TEST_EXTENSION = "loadtest"
"""Warden's own extension: the name of the load-test job whose traffic this call was (absent for real traffic),
copied from the `LOAD_TEST_HEADER` of the data-plane call. The request logger stores it as the document field
`loadTest`, so monitoring queries can leave load-test traffic out."""

LOAD_TEST_HEADER = "X-Warden-Loadtest"
"""The header Warden's load generator marks its data-plane calls with (value: the job name)."""

EXPLAINER_HEADER = "X-Warden-Explainer"
"""The header an explainer marks its model calls with ("true"): besides not being logged (`Seldon-Skip-Logging`,
which it also sends), they are left out of the request metrics and never mirrored to shadows, so explanation
traffic does not show as the deployment's traffic."""

ENDPOINT_HEADER = "X-Warden-Endpoint"
"""Reply header of Warden's data plane: the predictor (endpoint: `default`, `canary`, ...) that answered."""

SELDON_TYPE_PREFIX = "io.seldon.serving"
KSERVE_TYPE_PREFIX = "org.kubeflow.serving"


class InferenceExtensions(BaseModel):
    """The extension attributes executors set on inference events (all optional on the wire).

    Seldon: `requestid` (the PUID), `modelid` (graph node), `inferenceservicename` (SeldonDeployment),
    `namespace`, `endpoint` (predictor), `protocol` (from Seldon Core 1.14). KServe: `inferenceservicename`,
    `namespace`, `component` (predictor|transformer|explainer), `endpoint` (default|canary). Warden's serving
    runtime adds `deploymentuid` (`DEPLOYMENT_UID_EXTENSION`) and, on load-test traffic, `loadtest`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    requestid: str | None = None
    modelid: str | None = None
    inferenceservicename: str | None = None
    namespace: str | None = None
    endpoint: str | None = None
    protocol: str | None = None
    component: str | None = None
    deploymentuid: str | None = None
    loadtest: str | None = None

    @classmethod
    def of(cls, event: Event) -> InferenceExtensions:
        """Read the extensions from `event`; non-string values are stringified, empty strings read as absent."""
        values = {}
        for name in cls.model_fields:
            raw = event.get_extension(name)
            if raw is not None and raw != "":
                values[name] = str(raw)
        return cls(**values)

    def as_attributes(self) -> dict[str, str]:
        """The non-empty extensions, ready for `build_event(extensions=...)` (e.g. to copy them onto a reply)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


def correlation_id(event: Event) -> str:
    """The key tying request, response, feedback and detector replies together: `requestid`, else `id`."""
    requestid = event.get_extension("requestid")
    return str(requestid) if requestid else event.get_id()


SPECS = (
    EventSpec(
        SELDON_REQUEST,
        ExecutorRequest,
        "Request payload logged by a Seldon Core executor (Seldon, V2 or TensorFlow protocol).",
        peer=True,
        allows_opaque=True,
    ),
    EventSpec(
        SELDON_RESPONSE,
        ExecutorResponse,
        "Response payload logged by a Seldon Core executor (Seldon, V2 or TensorFlow protocol).",
        peer=True,
        allows_opaque=True,
    ),
    EventSpec(
        SELDON_FEEDBACK,
        SeldonFeedback,
        "Feedback (reward, truth) sent to a Seldon deployment, correlated by its PUID.",
        peer=True,
        allows_opaque=True,
    ),
    EventSpec(
        KSERVE_REQUEST,
        KServeRequest,
        "Request payload logged by the KServe logger (V1 or V2 protocol).",
        peer=True,
        allows_opaque=True,
    ),
    EventSpec(
        KSERVE_RESPONSE,
        KServeResponse,
        "Response payload logged by the KServe logger (V1 or V2 protocol), only for HTTP 200.",
        peer=True,
        allows_opaque=True,
    ),
)
