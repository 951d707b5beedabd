// Create and remove a deployment's detectors (seed §5.1.6-5.1.8: outlier detector, drift detector, metrics server
// created from the deployment dashboard). Shared by the dashboard's Detectors widget and the Monitor's panel.
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Stack,
  TextField,
} from "@mui/material";
import { useState, type FormEvent } from "react";
import { describeError } from "../../api/client";
import type { Kind } from "../../api/deployments";
import { DETECTOR_LABEL, type DetectorKind, type MonitorApi } from "../../api/monitor";
import {
  checkForm,
  defaultForm,
  detectorBody,
  DRIFT_ALGORITHMS,
  METRICS_MODELS,
  OUTLIER_ALGORITHMS,
  PROTOCOLS,
  type DetectorForm,
  type FormErrors,
} from "./detectors";

const ARTICLE: Record<DetectorKind, string> = {
  "outlier-detector": "an outlier detector",
  "drift-detector": "a drift detector",
  "metrics-server": "a metrics server",
};

/** "Create outlier detector" and the like: the accessible name of each kind's Create button. */
export function createLabel(kind: DetectorKind): string {
  return `Create ${DETECTOR_LABEL[kind].toLowerCase()}`;
}

/** A kind's Create button with its dialog; `onCreated` after the server accepted one (to reload the lists). */
export function CreateDetectorButton({
  kind,
  deployment,
  monitor,
  onCreated,
  size = "small",
}: {
  kind: DetectorKind;
  deployment: { kind: Kind; name: string };
  monitor: MonitorApi;
  onCreated: (name: string) => void;
  size?: "small" | "medium";
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size={size} variant="outlined" onClick={() => setOpen(true)} aria-label={createLabel(kind)}>
        Create
      </Button>
      {open && (
        <CreateDetectorDialog
          kind={kind}
          deployment={deployment}
          monitor={monitor}
          onClose={() => setOpen(false)}
          onCreated={(name) => {
            setOpen(false);
            onCreated(name);
          }}
        />
      )}
    </>
  );
}

function CreateDetectorDialog({
  kind,
  deployment,
  monitor,
  onClose,
  onCreated,
}: {
  kind: DetectorKind;
  deployment: { kind: Kind; name: string };
  monitor: MonitorApi;
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const [form, setForm] = useState<DetectorForm>(() => defaultForm(kind, deployment));
  const [errors, setErrors] = useState<FormErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = `create-${kind}-title`;

  const set = (field: keyof DetectorForm) => (value: string | boolean) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const text = (field: Exclude<keyof DetectorForm, "featureWise">, label: string, help?: string, required = false) => (
    <TextField
      label={label}
      value={form[field]}
      onChange={(event) => set(field)(event.target.value)}
      error={Boolean(errors[field])}
      helperText={errors[field] ?? help}
      required={required}
      size="small"
      fullWidth
    />
  );
  const choice = (field: Exclude<keyof DetectorForm, "featureWise">, label: string, options: readonly string[], help?: string) => (
    <TextField
      select
      label={label}
      value={form[field]}
      onChange={(event) => set(field)(event.target.value)}
      helperText={help}
      size="small"
      fullWidth
    >
      {options.map((option) => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkForm(kind, form);
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      setFailure("Some fields need a change before the detector can be created (see below each).");
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await monitor.createDetector(kind, detectorBody(kind, form));
      onCreated(form.name);
    } catch (error) {
      setFailure(`The ${DETECTOR_LABEL[kind].toLowerCase()} was not created: ${describeError(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <DialogTitle id={titleId}>Create {ARTICLE[kind]}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {failure && (
              <Alert severity="error" role="alert">
                {failure}
              </Alert>
            )}
            {text("name", "Detector name", "Lower-case letters, digits and '-'.", true)}
            {text("modelName", "Model name")}
            {kind === "outlier-detector" && (
              <>
                {text("storageUri", "Storage URI", "A saved alibi-detect outlier detector (path, file:// or s3:// folder).")}
                {text("referenceUri", "Reference data URI", "Or rows to fit one on: a .npy or .csv of numbers.")}
                {choice("outlierAlgorithm", "Algorithm", OUTLIER_ALGORITHMS, "Fitted on the reference data.")}
                {text("thresholdPercentile", "Threshold percentile", "Share of the reference data taken as normal.")}
              </>
            )}
            {kind === "drift-detector" && (
              <>
                {text("storageUri", "Storage URI", "A saved alibi-detect drift detector (path, file:// or s3:// folder).")}
                {text("referenceUri", "Reference data URI", "Or rows to fit one on: a .npy or .csv of numbers.")}
                {text("batchSize", "Batch size", "Rows per tested window.", true)}
                {text("pValue", "p-value threshold", "Drift when the test's p-value is below this.")}
                {choice("driftAlgorithm", "Test", DRIFT_ALGORITHMS, "Kolmogorov-Smirnov or Cramér-von Mises per feature.")}
                <FormControlLabel
                  control={<Checkbox checked={form.featureWise} onChange={(event) => set("featureWise")(event.target.checked)} />}
                  label="One answer per feature"
                />
              </>
            )}
            {kind === "metrics-server" && (
              <>
                {choice("metricsModel", "Metrics model", METRICS_MODELS, "How truth and prediction are compared.")}
                {text("classes", "Number of classes", "Multiclass: optional.")}
                {form.metricsModel === "binary" && text("threshold", "Threshold", "A prediction at or above it is class 1.")}
              </>
            )}
            {choice("protocol", "Protocol", PROTOCOLS)}
            {text("replyUrl", "Reply URL", "Warden sends the replies to its request logger.")}
            {text("httpPort", "HTTP port")}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={busy}>
            {busy ? "Creating…" : `Create ${DETECTOR_LABEL[kind].toLowerCase()}`}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Asks before removing detector `name`; `onRemoved` after the server removed it. */
export function RemoveDetectorDialog({
  kind,
  name,
  monitor,
  onClose,
  onRemoved,
}: {
  kind: DetectorKind;
  name: string;
  monitor: MonitorApi;
  onClose: () => void;
  onRemoved: (name: string) => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = `remove-${kind}-title`;
  const remove = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await monitor.deleteDetector(kind, name);
      onRemoved(name);
    } catch (error) {
      setFailure(`${name} was not removed: ${describeError(error)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>
        Remove {DETECTOR_LABEL[kind].toLowerCase()} {name}?
      </DialogTitle>
      <DialogContent>
        {failure && (
          <Alert severity="error" role="alert" sx={{ mb: 1 }}>
            {failure}
          </Alert>
        )}
        <DialogContentText>
          It stops watching this deployment&apos;s predictions and feedback, and its results are no longer shown here.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" color="error" onClick={() => void remove()} disabled={busy}>
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}
