import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useMemo, useState } from "react";
import {
  BatchApi,
  batchDefinition,
  DATA_TYPES,
  DEFAULT_FORM,
  describeProgress,
  METHODS,
  PAYLOAD_TYPES,
  type BatchErrors,
  type BatchForm,
  type BatchJobDetail,
} from "../../api/batch";
import { describeError } from "../../api/client";
import { useSession } from "../../state/session";
import { usePolled } from "../../state/usePolled";
import { useDeploymentParams } from "../resources/useDeploymentParams";

const REFRESH_MS = 3000;
const COLOR = { Pending: "default", Running: "info", Succeeded: "success", Failed: "error" } as const;

/** The deployment's batch jobs with their progress; create one, see one, cancel one. */
export default function BatchJobs() {
  const { kind, namespace, name, rawKind } = useDeploymentParams();
  const { client } = useSession();
  const api = useMemo(() => new BatchApi(client), [client]);
  const [round, setRound] = useState(0);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState<BatchForm>(DEFAULT_FORM);
  const [errors, setErrors] = useState<BatchErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [detail, setDetail] = useState<{ job: string; value: BatchJobDetail | null; error: string | null } | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);

  // Progress moves on its own: read the list again every few seconds.
  const { value: jobs, error: loadError } = usePolled(
    kind ? () => api.list(kind, namespace, name) : null,
    REFRESH_MS,
    [api, kind, namespace, name, round],
  );

  if (!kind) return <Alert severity="error">Unknown kind of deployment: {rawKind}</Alert>;

  const submit = async () => {
    const request = batchDefinition(form);
    if ("errors" in request) {
      setErrors(request.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setFailure(null);
    try {
      const created = await api.create(kind, namespace, name, request.body);
      setCreating(false);
      setNotice(`Batch job ${created.workflowName} was created.`);
      setRound((n) => n + 1);
    } catch (e) {
      setFailure(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const open = (job: string) => {
    setDetail({ job, value: null, error: null });
    api.get(kind, namespace, name, job).then(
      (value) => setDetail((d) => (d?.job === job ? { job, value, error: null } : d)),
      (e: unknown) => setDetail((d) => (d?.job === job ? { job, value: null, error: describeError(e) } : d)),
    );
  };

  const cancel = async () => {
    if (!cancelling) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.cancel(kind, namespace, name, cancelling);
      setNotice(`Batch job ${cancelling} was cancelled.`);
      setCancelling(null);
      setRound((n) => n + 1);
    } catch (e) {
      setFailure(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const text = (key: keyof BatchForm, label: string, helper: string, options?: string[]) => (
    <TextField
      label={label}
      value={form[key] as string}
      onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      error={errors[key] !== undefined}
      helperText={errors[key] ?? helper}
      disabled={busy}
      select={options !== undefined}
      fullWidth
      size="small"
    >
      {options?.map((o) => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2 }}>
        <Typography variant="h5" component="h1">
          Batch jobs
        </Typography>
        <Button
          variant="contained"
          onClick={() => {
            setForm(DEFAULT_FORM);
            setErrors({});
            setFailure(null);
            setCreating(true);
          }}
        >
          New batch job
        </Button>
      </Box>
      {notice && (
        <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {loadError && (
        <Alert severity="error" sx={{ mb: 2 }}>
          The batch jobs could not be loaded: {loadError}
        </Alert>
      )}
      {jobs === null && !loadError && <CircularProgress aria-label="Loading the batch jobs" />}
      {jobs !== null && jobs.length === 0 && <Alert severity="info">This deployment has no batch job yet.</Alert>}
      {jobs !== null && jobs.length > 0 && (
        <Paper variant="outlined" sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Batch jobs">
            <TableHead>
              <TableRow>
                <TableCell>Job</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Progress</TableCell>
                <TableCell>Rate</TableCell>
                <TableCell>Time left</TableCell>
                <TableCell>Output</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {jobs.map((job) => {
                const p = describeProgress(job.progress);
                return (
                  <TableRow key={job.workflowName} data-status={job.workflowStatus}>
                    <TableCell>{job.workflowName}</TableCell>
                    <TableCell>
                      <Chip size="small" label={job.workflowStatus} color={COLOR[job.workflowStatus]} />
                      {job.message ? <Typography variant="caption" sx={{ display: "block" }}>{job.message}</Typography> : null}
                    </TableCell>
                    <TableCell sx={{ minWidth: 180 }}>
                      {p.lines}
                      {p.percent !== null && (
                        <LinearProgress variant="determinate" value={p.percent} aria-label={`Progress of ${job.workflowName}`} />
                      )}
                    </TableCell>
                    <TableCell>{p.rate}</TableCell>
                    <TableCell>{job.workflowStatus === "Running" ? p.eta : "—"}</TableCell>
                    <TableCell sx={{ wordBreak: "break-all" }}>{job.outputData}</TableCell>
                    <TableCell sx={{ whiteSpace: "nowrap" }}>
                      <Button size="small" onClick={() => open(job.workflowName)} aria-label={`Details of ${job.workflowName}`}>
                        Details
                      </Button>
                      {(job.workflowStatus === "Pending" || job.workflowStatus === "Running") && (
                        <Button size="small" color="warning" onClick={() => { setFailure(null); setCancelling(job.workflowName); }} aria-label={`Cancel ${job.workflowName}`}>
                          Cancel
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Paper>
      )}

      <Dialog open={creating} onClose={() => !busy && setCreating(false)} aria-labelledby="batch-create-title" fullWidth maxWidth="md">
        <DialogTitle id="batch-create-title">New batch job</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {text("inputData", "Input data", "One JSON value per line: an absolute local path, file:// or s3:// URI.")}
            {text("outputData", "Output data", "Where the answers are written, one line per input line.")}
            <Stack direction="row" spacing={2}>
              {text("batchDataType", "Data type", "How each line becomes a request.", DATA_TYPES)}
              {text("batchPayloadType", "Payload type", "For the data type: ndarray or tensor.", PAYLOAD_TYPES)}
              {text("batchMethod", "Method", "Predictions or feedback.", METHODS)}
            </Stack>
            <Stack direction="row" spacing={2}>
              {text("batchSize", "Batch size", "Lines per request.")}
              {text("batchWorkers", "Workers", "Requests in flight at once.")}
              {text("batchRetries", "Retries", "After a transient failure.")}
              {text("batchInterval", "Interval (s)", "Each worker's pause between requests.")}
            </Stack>
            <FormControlLabel
              control={<Checkbox checked={form.stopOnFailure} onChange={(e) => setForm({ ...form, stopOnFailure: e.target.checked })} />}
              label="Stop at the first line that still fails after its retries"
            />
          </Stack>
          {failure && (
            <Alert severity="error" sx={{ mt: 2 }}>
              The batch job could not be created: {failure}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setCreating(false)} disabled={busy}>
            Close
          </Button>
          <Button variant="contained" onClick={() => void submit()} disabled={busy}>
            Create
          </Button>
        </DialogActions>
      </Dialog>

      <Dialog open={detail !== null} onClose={() => setDetail(null)} aria-labelledby="batch-detail-title" fullWidth maxWidth="md">
        <DialogTitle id="batch-detail-title">Batch job {detail?.job}</DialogTitle>
        <DialogContent>
          {detail?.error && <Alert severity="error">The job could not be loaded: {detail.error}</Alert>}
          {detail && !detail.error && !detail.value && <CircularProgress aria-label="Loading the job" />}
          {detail?.value && (
            <Box component="pre" tabIndex={0} aria-label="Batch job (JSON, read-only)" sx={{ m: 0, fontSize: 13, overflow: "auto", maxHeight: "60vh" }}>
              {JSON.stringify(detail.value, null, 2)}
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDetail(null)}>Close</Button>
        </DialogActions>
      </Dialog>

      <Dialog open={cancelling !== null} onClose={() => !busy && setCancelling(null)} aria-labelledby="batch-cancel-title">
        <DialogTitle id="batch-cancel-title">Cancel batch job {cancelling}?</DialogTitle>
        <DialogContent>
          <Typography>The job stops; the lines already answered stay in its output.</Typography>
          {failure && (
            <Alert severity="error" sx={{ mt: 2 }}>
              The job could not be cancelled: {failure}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setCancelling(null)} disabled={busy}>
            Keep it
          </Button>
          <Button color="warning" variant="contained" onClick={() => void cancel()} disabled={busy}>
            Cancel the job
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
