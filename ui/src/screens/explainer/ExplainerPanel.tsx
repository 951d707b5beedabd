// The dashboard Explainer widget's content: the configured explainer, and Add / Edit / Remove.
import {
  Alert,
  Box,
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Typography,
} from "@mui/material";
import { useMemo, useState } from "react";
import { describeError } from "../../api/client";
import type { Kind } from "../../api/deployments";
import { ExplainersApi, type StoredExplainer } from "../../api/explainers";
import { useSession } from "../../state/session";
import { useLoad } from "../../state/useLoad";
import { ExplainerDialog } from "./ExplainerDialog";

function sourceOf(stored: StoredExplainer): string {
  if (stored.modelUri) return `saved explainer ${stored.modelUri}`;
  if (stored.referenceUri) return `fitted on ${stored.referenceUri}`;
  return "no data";
}

export function ExplainerPanel({ kind, namespace, name }: { kind: Kind; namespace: string; name: string }) {
  const { client, api: warden } = useSession();
  const api = useMemo(() => new ExplainersApi(client, kind, namespace, name), [client, kind, namespace, name]);
  const [round, setRound] = useState(0);
  const [loaded] = useLoad(() => api.get(), [api, round]);
  const [editing, setEditing] = useState<"add" | "edit" | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const current = loaded.state === "ready" ? loaded.value : null;
  // The deployment's default model, offered as the catalog model that names the features of a new explainer.
  const [deployment] = useLoad(() => warden.deployment(kind, namespace, name), [warden, kind, namespace, name]);
  const defaultModel =
    deployment.state === "ready"
      ? (deployment.value.predictors.find((p) => p.role === "default")?.model ?? "")
      : "";
  const remove = () => {
    setRemoving(true);
    setRemoveError(null);
    api.remove().then(
      () => {
        setRemoving(false);
        setConfirming(false);
        setNotice("The explainer was removed.");
        setRound((n) => n + 1);
      },
      (e: unknown) => {
        setRemoving(false);
        setRemoveError(describeError(e));
      },
    );
  };

  return (
    <Box data-testid="explainer-panel">
      {loaded.state === "loading" && <CircularProgress size={24} aria-label="Loading the explainer" />}
      {loaded.state === "error" && (
        <Alert
          severity="error"
          action={
            <Button color="inherit" onClick={() => setRound((n) => n + 1)}>
              Retry
            </Button>
          }
        >
          The explainer could not be read: {loaded.message}
        </Alert>
      )}
      {notice && (
        <Alert severity="success" onClose={() => setNotice(null)} sx={{ mb: 1 }}>
          {notice}
        </Alert>
      )}
      {loaded.state === "ready" && current === null && (
        <>
          <Typography variant="body2" data-testid="explainer-state">
            No explainer is configured.
          </Typography>
          <Button variant="outlined" size="small" sx={{ mt: 1 }} onClick={() => setEditing("add")}>
            Add explainer
          </Button>
        </>
      )}
      {current && (
        <>
          <Typography variant="body2" data-testid="explainer-state">
            Configured: <strong>{current.type}</strong>
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ wordBreak: "break-all" }}>
            {sourceOf(current)}
            {current.source === "api" ? "" : " (from the deployment spec)"}
          </Typography>
          <Box sx={{ display: "flex", gap: 1, mt: 1 }}>
            <Button variant="outlined" size="small" onClick={() => setEditing("edit")}>
              Edit explainer
            </Button>
            <Button variant="outlined" size="small" color="error" onClick={() => setConfirming(true)}>
              Remove explainer
            </Button>
          </Box>
        </>
      )}
      {editing && (
        <ExplainerDialog
          api={api}
          current={editing === "edit" ? current : null}
          catalogModelUri={/^[a-z][a-z0-9+.-]*:\/\//i.test(defaultModel) ? defaultModel : ""}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setNotice(editing === "add" ? "The explainer was added." : "The explainer was saved.");
            setEditing(null);
            setRound((n) => n + 1);
          }}
        />
      )}
      {confirming && current && (
        <Dialog open onClose={removing ? undefined : () => setConfirming(false)} aria-labelledby="remove-explainer-title">
          <DialogTitle id="remove-explainer-title">Remove the explainer?</DialogTitle>
          <DialogContent>
            <DialogContentText>
              {name} will no longer explain predictions with its {current.type} explainer. Explanations already
              computed stay readable.
            </DialogContentText>
            {removeError && (
              <Alert severity="error" sx={{ mt: 2 }} role="alert">
                The explainer could not be removed: {removeError}
              </Alert>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setConfirming(false)} disabled={removing}>
              Cancel
            </Button>
            <Button color="error" variant="contained" onClick={remove} disabled={removing}>
              {removing ? "Removing…" : "Remove"}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </Box>
  );
}
