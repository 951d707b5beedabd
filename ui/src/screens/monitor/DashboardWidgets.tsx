import DeleteOutline from "@mui/icons-material/DeleteOutlined";
import { Alert, Box, Button, Chip, CircularProgress, IconButton, Link, Paper, Typography } from "@mui/material";
import { useState, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { usePolled } from "../../state/usePolled";
import { DETECTOR_LABEL, type DetectorKind } from "../../api/monitor";
import { ExplainerPanel } from "../explainer/ExplainerPanel";
import { CreateDetectorButton, RemoveDetectorDialog } from "./DetectorDialogs";
import { DETECTOR_KINDS, stateColor, useDetectorLists } from "./detectors";
import { formatNumber, formatSeconds, rangeOf } from "./format";
import { useDeploymentApi, type DeploymentRef } from "./useDeploymentApi";

const LIVE_MS = 5000;
const LIVE_MINUTES = 5;

function Widget({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, flex: "1 1 260px", minWidth: 0 }} component="section" aria-label={title}>
      <Typography variant="subtitle1" component="h2" gutterBottom>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/** The dashboard's row of live widgets: request monitor, detectors, explainer, and the predict / load test buttons. */
export function DashboardWidgets() {
  const deployment = useDeploymentApi();
  if (!deployment) return null;
  return (
    <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", my: 2 }}>
      <LiveRequests deployment={deployment} />
      <DetectorsWidget deployment={deployment} />
      <ExplainerWidget deployment={deployment} />
      <Widget title="Try it">
        <Box sx={{ display: "flex", flexDirection: "column", gap: 1, alignItems: "flex-start" }}>
          <Button variant="contained" component={RouterLink} to={`${deployment.root}/predict`}>
            Make a prediction
          </Button>
          <Button variant="outlined" component={RouterLink} to={`${deployment.root}/loadtests`}>
            Load test
          </Button>
        </Box>
      </Widget>
    </Box>
  );
}

/** Requests of the last few minutes per predictor, read again every few seconds. */
function LiveRequests({ deployment }: { deployment: DeploymentRef }) {
  const { value: metrics, error } = usePolled(
    (signal) => deployment.monitor.requestMetrics(rangeOf(LIVE_MINUTES, new Date(), 10), signal),
    LIVE_MS,
    [deployment],
  );
  const predictors = metrics?.predictors.filter((p) => p.total.requests > 0) ?? [];
  return (
    <Widget title={`Requests, last ${LIVE_MINUTES} minutes`}>
      {error && <Alert severity="error">The request metrics could not be read: {error}</Alert>}
      {!metrics && !error && <CircularProgress size={24} aria-label="Loading the request metrics" />}
      {metrics && predictors.length === 0 && <Typography>No requests in the last {LIVE_MINUTES} minutes.</Typography>}
      {predictors.map(({ predictor, total }) => (
        <Typography key={predictor} variant="body2" data-predictor={predictor}>
          <strong>{predictor}</strong>: {formatNumber(total.requestsPerSecond, 3)} req/s, {formatNumber(total.success, 0)} ok,{" "}
          {formatNumber(total.failure, 0)} failed, p50 {formatSeconds(total.latencySeconds.p50)}, p99{" "}
          {formatSeconds(total.latencySeconds.p99)}
        </Typography>
      ))}
      <Link component={RouterLink} to={`${deployment.root}/monitor`} variant="body2">
        Open the monitor
      </Link>
    </Widget>
  );
}

function DetectorsWidget({ deployment }: { deployment: DeploymentRef }) {
  const [loaded, reload] = useDetectorLists(deployment.monitor);
  const [removing, setRemoving] = useState<{ kind: DetectorKind; name: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const changed = (what: string) => {
    setDone(what);
    reload();
  };
  return (
    <Widget title="Detectors">
      {done && (
        <Alert severity="success" sx={{ mb: 1 }} onClose={() => setDone(null)}>
          {done}
        </Alert>
      )}
      {loaded.state === "loading" && <CircularProgress size={24} aria-label="Loading the detectors" />}
      {loaded.state === "error" && <Alert severity="error">The detectors could not be read: {loaded.message}</Alert>}
      {loaded.state === "ready" &&
        DETECTOR_KINDS.map((kind) => (
          <Box key={kind} sx={{ mb: 1, display: "flex", flexWrap: "wrap", alignItems: "center", gap: 0.5 }} data-kind={kind}>
            <Typography variant="body2" component="span">
              {DETECTOR_LABEL[kind]}:
            </Typography>
            {loaded.value[kind].length === 0 ? (
              <Typography variant="body2" component="span" color="text.secondary">
                none
              </Typography>
            ) : (
              loaded.value[kind].map((d) => (
                <Box key={d.name} component="span" sx={{ display: "inline-flex", alignItems: "center" }}>
                  <Chip size="small" label={`${d.name}: ${d.status.state}`} color={stateColor(d.status.state)} />
                  <IconButton size="small" aria-label={`Remove ${d.name}`} onClick={() => setRemoving({ kind, name: d.name })}>
                    <DeleteOutline fontSize="small" />
                  </IconButton>
                </Box>
              ))
            )}
            <CreateDetectorButton
              kind={kind}
              deployment={deployment}
              monitor={deployment.monitor}
              onCreated={(name) => changed(`${DETECTOR_LABEL[kind]} ${name} created.`)}
            />
          </Box>
        ))}
      {removing && (
        <RemoveDetectorDialog
          {...removing}
          monitor={deployment.monitor}
          onClose={() => setRemoving(null)}
          onRemoved={(name) => {
            setRemoving(null);
            changed(`${DETECTOR_LABEL[removing.kind]} ${name} removed.`);
          }}
        />
      )}
      <Link component={RouterLink} to={`${deployment.root}/monitor`} variant="body2">
        Timelines and metrics in the monitor
      </Link>
    </Widget>
  );
}

function ExplainerWidget({ deployment }: { deployment: DeploymentRef }) {
  return (
    <Widget title="Explainer">
      <ExplainerPanel kind={deployment.kind} namespace={deployment.namespace} name={deployment.name} />
    </Widget>
  );
}
