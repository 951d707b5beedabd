import { useParams } from "react-router";
import type { Kind } from "../../api/deployments";

const KINDS: Kind[] = ["seldondeployments", "inferenceservices"];

/** The deployment of the current URL; `kind` is undefined when the URL names no known kind. */
export function useDeploymentParams(): { kind: Kind | undefined; namespace: string; name: string; rawKind: string } {
  const params = useParams();
  return {
    kind: KINDS.find((k) => k === params.kind),
    namespace: params.namespace ?? "",
    name: params.name ?? "",
    rawKind: params.kind ?? "",
  };
}
