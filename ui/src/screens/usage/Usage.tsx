import { Alert, FormControl, InputLabel, MenuItem, Select } from "@mui/material";
import { useState } from "react";
import { useSession } from "../../state/session";
import { useLoad } from "../../state/useLoad";
import { useDeploymentParams } from "../resources/useDeploymentParams";
import { UsageView } from "./UsageView";

const ALL = "\u0000all"; // not a namespace name (DNS-1123 labels have no NUL)

/** `/ui/usage`: usage of everything, or of one namespace. */
export default function Usage() {
  const { api } = useSession();
  const [namespaces] = useLoad(() => api.namespaces(), [api]);
  const [choice, setChoice] = useState(ALL);
  const names = namespaces.state === "ready" ? namespaces.value.map((n) => n.name) : [];
  return (
    <>
      <FormControl size="small" sx={{ minWidth: 220, mb: 2 }}>
        <InputLabel id="usage-scope-label">Scope</InputLabel>
        <Select labelId="usage-scope-label" label="Scope" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <MenuItem value={ALL}>All namespaces</MenuItem>
          {names.map((n) => (
            <MenuItem key={n} value={n}>
              Namespace {n}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <UsageView
        scope={choice === ALL ? { scope: "all" } : { scope: "namespace", namespace: choice }}
        title={choice === ALL ? "Usage of all namespaces" : `Usage of namespace ${choice}`}
      />
    </>
  );
}

/** The Usage tab of one deployment. */
export function DeploymentUsage() {
  const { kind, namespace, name, rawKind } = useDeploymentParams();
  if (!kind) return <Alert severity="error">Unknown kind of deployment: {rawKind}</Alert>;
  return <UsageView scope={{ scope: "deployment", kind, namespace, name }} title={`Usage of ${name}`} />;
}
