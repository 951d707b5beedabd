import { useMemo } from "react";
import { useParams } from "react-router";
import type { Kind } from "../../api/deployments";
import { MonitorApi } from "../../api/monitor";
import { useSession } from "../../state/session";

const KINDS: Kind[] = ["seldondeployments", "inferenceservices"];

export interface DeploymentRef {
  kind: Kind;
  namespace: string;
  name: string;
  /** The deployment's UI path, for links to its other tabs. */
  root: string;
  monitor: MonitorApi;
}

/** The deployment named by the route, with its monitoring API; null for an unknown kind in the URL. */
export function useDeploymentApi(): DeploymentRef | null {
  const params = useParams();
  const { client } = useSession();
  const namespace = params.namespace ?? "";
  const name = params.name ?? "";
  const kind = KINDS.find((k) => k === params.kind);
  return useMemo(() => {
    if (!kind) return null;
    const root = `/ui/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;
    return { kind, namespace, name, root, monitor: new MonitorApi(client, kind, namespace, name) };
  }, [client, kind, namespace, name]);
}
