import {
  Alert,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Chip,
  CircularProgress,
  Grid,
  TextField,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink, Navigate, useOutletContext, useParams } from "react-router";
import { KIND_LABEL, matches, statusColor, type Deployment, type Namespace, type Predictor } from "../api/deployments";
import { useSession } from "../state/session";
import { LoadError } from "./LoadError";
import { useLoad, type Loaded } from "../state/useLoad";

/** `/`: the first namespace the user may see ("seldon" when there is one). */
export function Home() {
  const namespaces = useOutletContext<Loaded<Namespace[]>>();
  if (namespaces.state === "loading") return <CircularProgress aria-label="Loading namespaces" />;
  if (namespaces.state === "error") return null; // the shell says why
  const names = namespaces.value.map((n) => n.name);
  if (names.length === 0) {
    return <Alert severity="info">You may not see any namespace. An administrator can grant you one.</Alert>;
  }
  const first = names.includes("seldon") ? "seldon" : names[0]!;
  return <Navigate to={`/ui/namespaces/${encodeURIComponent(first)}`} replace />;
}

function predictorSummary(p: Predictor): string {
  const share = p.role === "shadow" ? "shadow" : `${p.traffic}%`;
  return p.name === p.role || p.role === "shadow" ? `${p.name} ${share}` : `${p.name} (${p.role}) ${share}`;
}

function DeploymentCard({ deployment }: { deployment: Deployment }) {
  const to = `/ui/namespaces/${encodeURIComponent(deployment.namespace)}/${deployment.kind}/${encodeURIComponent(deployment.name)}`;
  return (
    <Card variant="outlined">
      <CardActionArea component={RouterLink} to={to}>
        <CardContent>
          <Box sx={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 1 }}>
            <Typography variant="h6" component="h2" noWrap>
              {deployment.name}
            </Typography>
            <Chip label={deployment.status} color={statusColor(deployment.status)} size="small" />
          </Box>
          <Typography variant="body2" color="text.secondary">
            {KIND_LABEL[deployment.kind]}
          </Typography>
          <Typography variant="body2">
            {deployment.predictors.map(predictorSummary).join(" · ")}
          </Typography>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

/** The deployments of a namespace as cards, with search. */
export function Overview() {
  const { namespace = "" } = useParams();
  const { api } = useSession();
  const [query, setQuery] = useState("");
  const [deployments, reload] = useLoad(() => api.deployments(namespace), [api, namespace]);

  return (
    <>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Deployments in {namespace}
        </Typography>
        <TextField
          size="small"
          label="Search deployments"
          type="search"
          placeholder="name, status or model"
          slotProps={{ inputLabel: { shrink: true } }}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <Button variant="contained" component={RouterLink} to={`/ui/namespaces/${encodeURIComponent(namespace)}/new`}>
          Create
        </Button>
      </Box>
      {deployments.state === "loading" && <CircularProgress aria-label="Loading deployments" />}
      {deployments.state === "error" && (
        <LoadError what={`The deployments of ${namespace}`} message={deployments.message} retry={reload} />
      )}
      {deployments.state === "ready" && deployments.value.length === 0 && (
        <Alert severity="info">
          There are no deployments in {namespace} yet. Create one with the API or the SDK (see API docs).
        </Alert>
      )}
      {deployments.state === "ready" && deployments.value.length > 0 && (
        <Results deployments={deployments.value.filter((d) => matches(d, query))} query={query} />
      )}
    </>
  );
}

function Results({ deployments, query }: { deployments: Deployment[]; query: string }) {
  if (deployments.length === 0) return <Alert severity="info">No deployment matches “{query}”.</Alert>;
  return (
    <Grid container spacing={2} component="ul" sx={{ p: 0, m: 0 }} aria-label="Deployments">
      {deployments.map((d) => (
        <Grid key={`${d.kind}/${d.name}`} size={{ xs: 12, sm: 6, md: 4 }} component="li" sx={{ listStyle: "none" }}>
          <DeploymentCard deployment={d} />
        </Grid>
      ))}
    </Grid>
  );
}
