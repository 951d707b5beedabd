import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { describeError } from "../api/client";
import { hasCanary, KIND_LABEL, statusColor, type Deployment, type Kind } from "../api/deployments";
import { useSession } from "../state/session";
import { useLoad } from "../state/useLoad";
import { LoadError } from "./LoadError";
import { DashboardWidgets } from "./monitor/DashboardWidgets";
import { PredictorActions } from "./predictors/PredictorActions";

const KINDS: Kind[] = ["seldondeployments", "inferenceservices"];
const REFRESH_MS = 5000;

type Confirm = "promote" | "remove-canary" | "delete";
const CONFIRM_TEXT: Record<Confirm, [string, string, string]> = {
  promote: ["Promote the canary?", "The canary becomes the default predictor and takes all the traffic.", "Promote"],
  "remove-canary": ["Remove the canary?", "The canary is removed; all the traffic goes back to the default.", "Remove"],
  delete: ["Delete this deployment?", "The deployment and its model servers are removed. This cannot be undone.", "Delete"],
};

/** One deployment: its predictors with their traffic, canary actions, its spec, delete. */
export function Dashboard() {
  const params = useParams();
  const namespace = params.namespace ?? "";
  const name = params.name ?? "";
  const kind = KINDS.find((k) => k === params.kind);
  const { api } = useSession();
  const navigate = useNavigate();
  const [loaded, reload] = useLoad(
    () => (kind ? api.deployment(kind, namespace, name) : Promise.reject(new Error(`unknown kind ${params.kind}`))),
    [api, kind, namespace, name],
  );
  const [updated, setUpdated] = useState<Deployment | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [showSpec, setShowSpec] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const [refreshError, setRefreshError] = useState<string | null>(null);
  const actions = useRef(0); // bumped by every action: a refresh started before one must not undo what it shows

  // Status changes on its own (Creating -> Available): read the deployment again every few seconds.
  useEffect(() => {
    if (!kind || loaded.state !== "ready") return;
    const timer = window.setInterval(() => {
      const started = actions.current;
      api.deployment(kind, namespace, name).then(
        (fresh) => {
          if (actions.current !== started) return;
          setUpdated(fresh);
          setRefreshError(null);
        },
        (err: unknown) => actions.current === started && setRefreshError(describeError(err)),
      );
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [api, kind, namespace, name, loaded.state]);

  const overview = `/ui/namespaces/${encodeURIComponent(namespace)}`;
  const deployment = updated ?? (loaded.state === "ready" ? loaded.value : null);

  async function act(action: Confirm) {
    if (!kind) return;
    setConfirm(null);
    actions.current += 1;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      if (action === "promote") {
        setUpdated(await api.promoteCanary(kind, namespace, name));
        setNotice("The canary was promoted: it is now the default predictor with all the traffic.");
      } else if (action === "remove-canary") {
        setUpdated(await api.removeCanary(kind, namespace, name));
        setNotice("The canary was removed: all the traffic goes to the default predictor.");
      } else {
        await api.remove(kind, namespace, name);
        navigate(overview);
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {loaded.state === "loading" && !updated && <CircularProgress aria-label="Loading the deployment" />}
      {loaded.state === "error" && !updated && <LoadError what={name} message={loaded.message} retry={reload} />}
      {deployment && (
        <>
          <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2 }}>
            <Typography variant="h5" component="h1">
              {deployment.name}
            </Typography>
            <Chip label={deployment.status} color={statusColor(deployment.status)} />
            <Typography color="text.secondary">{KIND_LABEL[deployment.kind]}</Typography>
          </Box>
          {deployment.statusDetail && <Typography sx={{ mb: 2 }}>{deployment.statusDetail}</Typography>}
          {error && (
            <Alert severity="error" role="alert" sx={{ mb: 2 }} onClose={() => setError(null)}>
              {error}
            </Alert>
          )}
          {refreshError && (
            <Alert severity="warning" sx={{ mb: 2 }}>
              The status could not be refreshed: {refreshError}
            </Alert>
          )}
          {notice && (
            <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
              {notice}
            </Alert>
          )}
          <Paper variant="outlined" sx={{ mb: 2 }}>
            <Typography variant="h6" component="h2" sx={{ p: 2, pb: 0 }}>
              Predictors and traffic
            </Typography>
            <Table aria-label="Predictors and traffic" size="small">
              <TableHead>
                <TableRow>
                  <TableCell>Predictor</TableCell>
                  <TableCell>Role</TableCell>
                  <TableCell align="right">Traffic</TableCell>
                  <TableCell>Model</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {deployment.predictors.map((p) => (
                  <TableRow key={`${p.role}/${p.name}`} data-role={p.role}>
                    <TableCell>{p.name}</TableCell>
                    <TableCell>{p.role}</TableCell>
                    <TableCell align="right">{p.role === "shadow" ? "copy of all" : `${p.traffic}%`}</TableCell>
                    <TableCell sx={{ wordBreak: "break-all" }}>{p.model ?? "—"}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>
          <DashboardWidgets />
          <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
            {hasCanary(deployment) && (
              <>
                <Button variant="contained" disabled={busy} onClick={() => setConfirm("promote")}>
                  Promote canary
                </Button>
                <Button variant="outlined" disabled={busy} onClick={() => setConfirm("remove-canary")}>
                  Remove canary
                </Button>
              </>
            )}
            <PredictorActions
              deployment={deployment}
              disabled={busy}
              onChanged={(changed, text) => {
                actions.current += 1;
                setUpdated(changed);
                setNotice(text);
              }}
            />
            <Button variant="outlined" onClick={() => setShowSpec(true)}>
              View spec
            </Button>
            <Button variant="outlined" color="error" disabled={busy} onClick={() => setConfirm("delete")}>
              Delete
            </Button>
          </Box>
          <Dialog open={showSpec} onClose={() => setShowSpec(false)} maxWidth="md" fullWidth aria-labelledby="spec-title">
            <DialogTitle id="spec-title">Spec of {deployment.name}</DialogTitle>
            <DialogContent>
              <Box
                component="pre"
                tabIndex={0}
                aria-label="Deployment spec (JSON, read-only)"
                sx={{ m: 0, fontSize: 13, overflow: "auto", maxHeight: "60vh" }}
              >
                {JSON.stringify(deployment.raw, null, 2)}
              </Box>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setShowSpec(false)}>Close</Button>
            </DialogActions>
          </Dialog>
          <Dialog open={confirm !== null} onClose={() => setConfirm(null)} aria-labelledby="confirm-title">
            {confirm && (
              <>
                <DialogTitle id="confirm-title">{CONFIRM_TEXT[confirm][0]}</DialogTitle>
                <DialogContent>
                  <DialogContentText>{CONFIRM_TEXT[confirm][1]}</DialogContentText>
                </DialogContent>
                <DialogActions>
                  <Button onClick={() => setConfirm(null)}>Cancel</Button>
                  <Button
                    variant="contained"
                    color={confirm === "delete" ? "error" : "primary"}
                    onClick={() => void act(confirm)}
                  >
                    {CONFIRM_TEXT[confirm][2]}
                  </Button>
                </DialogActions>
              </>
            )}
          </Dialog>
        </>
      )}
    </>
  );
}
