import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
} from "@mui/material";
import { useMemo, useState } from "react";
import { describeError } from "../../api/client";
import { hasCanary, type Deployment } from "../../api/deployments";
import {
  IMPLEMENTATIONS,
  predictorRequest,
  PredictorsApi,
  type FormErrors,
  type PredictorForm,
  type PredictorRole,
} from "../../api/predictors";
import { useSession } from "../../state/session";

const EMPTY: PredictorForm = { modelUri: "", implementation: "", traffic: "10", comment: "" };
type ShadowAction = "promote-shadow" | "remove-shadow";

/**
 * The dashboard's buttons to add a canary or a shadow (a dialog each) and to promote or remove the shadow.
 * `onChanged` gets the deployment as the API answered it and a sentence for the user.
 */
export function PredictorActions({
  deployment,
  disabled,
  onChanged,
}: {
  deployment: Deployment;
  disabled: boolean;
  onChanged: (deployment: Deployment, notice: string) => void;
}) {
  const { client } = useSession();
  const api = useMemo(() => new PredictorsApi(client), [client]);
  const [adding, setAdding] = useState<PredictorRole | null>(null);
  const [confirm, setConfirm] = useState<ShadowAction | null>(null);
  const [form, setForm] = useState<PredictorForm>(EMPTY);
  const [errors, setErrors] = useState<FormErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { kind, namespace, name } = deployment;
  const hasShadow = deployment.predictors.some((p) => p.role === "shadow");

  const open = (role: PredictorRole) => {
    setForm(EMPTY);
    setErrors({});
    setFailure(null);
    setAdding(role);
  };

  const run = async (work: () => Promise<Deployment>, notice: string) => {
    setBusy(true);
    setFailure(null);
    try {
      const changed = await work();
      setAdding(null);
      setConfirm(null);
      onChanged(changed, notice);
    } catch (e) {
      setFailure(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = () => {
    if (!adding) return;
    const request = predictorRequest(kind, adding, form);
    if ("errors" in request) {
      setErrors(request.errors);
      return;
    }
    setErrors({});
    const what = adding === "canary" ? `The canary was added with ${String(request.body.traffic)} % of the traffic.` : "The shadow was added: it gets a copy of every request.";
    void run(() => api.add(kind, namespace, name, adding, request.body), what);
  };

  const field = (key: keyof PredictorForm, label: string, helper: string, extra: object = {}) => (
    <TextField
      label={label}
      value={form[key]}
      onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      error={errors[key] !== undefined}
      helperText={errors[key] ?? helper}
      disabled={busy}
      fullWidth
      {...extra}
    />
  );

  return (
    <>
      {!hasCanary(deployment) && (
        <Button variant="outlined" disabled={disabled || busy} onClick={() => open("canary")}>
          Add canary
        </Button>
      )}
      {!hasShadow && kind === "seldondeployments" && (
        <Button variant="outlined" disabled={disabled || busy} onClick={() => open("shadow")}>
          Add shadow
        </Button>
      )}
      {hasShadow && (
        <>
          <Button variant="outlined" disabled={disabled || busy} onClick={() => setConfirm("promote-shadow")}>
            Promote shadow
          </Button>
          <Button variant="outlined" disabled={disabled || busy} onClick={() => setConfirm("remove-shadow")}>
            Remove shadow
          </Button>
        </>
      )}
      <Dialog open={adding !== null} onClose={() => !busy && setAdding(null)} aria-labelledby="add-predictor-title" fullWidth>
        <DialogTitle id="add-predictor-title">{adding === "canary" ? "Add a canary" : "Add a shadow"}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            {adding === "canary"
              ? "A second model that takes a share of the live traffic; promote it or remove it from the dashboard."
              : "A second model that gets a copy of every request; its answers are logged, never returned."}
          </DialogContentText>
          <Stack spacing={2} component="form" noValidate onSubmit={(e) => { e.preventDefault(); submit(); }} sx={{ pt: 1 }}>
            {field("modelUri", "Model URI", "An absolute local path, or file://, s3://, gs:// URI of the model folder.", { required: true, autoFocus: true })}
            {field("implementation", "Implementation", `Empty keeps the current model server; or ${IMPLEMENTATIONS[kind].join(", ")}.`)}
            {adding === "canary" && field("traffic", "Traffic (%)", "The canary's share of the live traffic, 1 to 99.", { slotProps: { htmlInput: { inputMode: "numeric" } } })}
            {field("comment", "Comment", "Recorded with the change in the audit log (optional).")}
            <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
          </Stack>
          {failure && (
            <Alert severity="error" sx={{ mt: 2 }}>
              The {adding} could not be added: {failure}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAdding(null)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="contained" onClick={submit} disabled={busy}>
            Add {adding}
          </Button>
        </DialogActions>
      </Dialog>
      <Dialog open={confirm !== null} onClose={() => !busy && setConfirm(null)} aria-labelledby="shadow-confirm-title">
        <DialogTitle id="shadow-confirm-title">{confirm === "promote-shadow" ? "Promote the shadow?" : "Remove the shadow?"}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {confirm === "promote-shadow"
              ? "The shadow becomes the default predictor and answers all the traffic."
              : "The shadow is removed; live traffic is unchanged."}
          </DialogContentText>
          {failure && (
            <Alert severity="error" sx={{ mt: 2 }}>
              That failed: {failure}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirm(null)} disabled={busy}>
            Cancel
          </Button>
          <Button
            variant="contained"
            disabled={busy}
            onClick={() =>
              void (confirm === "promote-shadow"
                ? run(() => api.promoteShadow(kind, namespace, name), "The shadow was promoted: it is now the default predictor.")
                : run(() => api.removeShadow(kind, namespace, name), "The shadow was removed."))
            }
          >
            {confirm === "promote-shadow" ? "Promote" : "Remove"}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
