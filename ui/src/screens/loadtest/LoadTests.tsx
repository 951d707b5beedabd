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
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useEffect, useState } from "react";
import { describeError } from "../../api/client";
import type { LoadTestJob, LoadTestRequest } from "../../api/monitor";
import { useLoad } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { ACTIVE_JOB, formatMs, formatNumber } from "../monitor/format";
import { useDeploymentApi } from "../monitor/useDeploymentApi";
import { PayloadEditor, useSamplePayload } from "../predict/PayloadEditor";
import { loadTestRequest, type LoadTestForm } from "./form";

const POLL_MS = 2000;

/** Load tests of one deployment: a wizard to start one, the jobs with their status and results, delete. */
export function LoadTests() {
  const deployment = useDeploymentApi();
  const sample = useSamplePayload(deployment);
  const [form, setForm] = useState<LoadTestForm>({ connections: "2", mode: "requests", amount: "200", payload: "" });
  const [payloadSet, setPayloadSet] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [jobs, reload] = useLoad(
    () => (deployment ? deployment.monitor.loadTests() : Promise.reject(new Error("unknown deployment kind"))),
    [deployment],
  );
  const [fresh, setFresh] = useState<LoadTestJob[] | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);

  useEffect(() => {
    if (sample !== null && !payloadSet) {
      setForm((f) => ({ ...f, payload: sample }));
      setPayloadSet(true);
    }
  }, [sample, payloadSet]);

  const list = fresh ?? (jobs.state === "ready" ? jobs.value : null);
  const active = list?.some((job) => ACTIVE_JOB.has(job.status)) ?? false;

  // A running job's status and results change on the server: read the list again until none runs.
  useEffect(() => {
    if (!deployment || !active) return;
    const timer = window.setInterval(() => {
      deployment.monitor.loadTests().then(
        (value) => {
          setFresh(value);
          setPollError(null);
        },
        (err: unknown) => setPollError(describeError(err)),
      );
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [deployment, active]);

  if (!deployment) return <Alert severity="error">This address names no kind of deployment Warden knows.</Alert>;
  const monitor = deployment.monitor;

  async function start() {
    setError(null);
    setNotice(null);
    let request: LoadTestRequest;
    try {
      request = loadTestRequest(form);
    } catch (err) {
      setError(describeError(err));
      return;
    }
    setBusy(true);
    try {
      const job = await monitor.startLoadTest(request);
      setNotice(`Load test ${job.jobName} started.`);
      setFresh(await monitor.loadTests());
    } catch (err) {
      setError(`The load test could not be started: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  async function remove(job: string) {
    setConfirm(null);
    setError(null);
    setNotice(null);
    try {
      await monitor.deleteLoadTest(job);
      setNotice(`Load test ${job} deleted.`);
      setFresh(await monitor.loadTests());
    } catch (err) {
      setError(`Load test ${job} could not be deleted: ${describeError(err)}`);
    }
  }

  return (
    <>
      <Typography variant="h5" component="h1" gutterBottom>
        Load tests of {deployment.name}
      </Typography>
      <Paper variant="outlined" sx={{ p: 2, mb: 2 }} component="section" aria-labelledby="new-load-test">
        <Typography variant="h6" component="h2" id="new-load-test" gutterBottom>
          New load test
        </Typography>
        <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mb: 2 }}>
          <TextField
            label="Connections"
            value={form.connections}
            onChange={(e) => setForm({ ...form, connections: e.target.value })}
            helperText="Concurrent connections"
            inputMode="numeric"
          />
          <TextField
            select
            label="Run for"
            value={form.mode}
            onChange={(e) => setForm({ ...form, mode: e.target.value === "duration" ? "duration" : "requests" })}
            sx={{ minWidth: 180 }}
          >
            <MenuItem value="requests">a number of requests</MenuItem>
            <MenuItem value="duration">a duration</MenuItem>
          </TextField>
          <TextField
            label={form.mode === "requests" ? "Requests" : "Duration (seconds)"}
            value={form.amount}
            onChange={(e) => setForm({ ...form, amount: e.target.value })}
            inputMode="decimal"
          />
        </Box>
        {payloadSet ? (
          <PayloadEditor label="Payload (JSON)" value={form.payload} onChange={(payload) => setForm({ ...form, payload })} rows={6} />
        ) : (
          <CircularProgress aria-label="Loading a sample payload" />
        )}
        <Box sx={{ display: "flex", gap: 2, mt: 2, alignItems: "center" }}>
          <Button variant="contained" disabled={busy || !payloadSet} onClick={() => void start()}>
            Start load test
          </Button>
          {busy && <CircularProgress size={24} aria-label="Starting the load test" />}
        </Box>
      </Paper>
      {error && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }} onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {notice && (
        <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {pollError && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          The jobs could not be refreshed: {pollError}
        </Alert>
      )}
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Typography variant="h6" component="h2" gutterBottom>
          Jobs
        </Typography>
        {jobs.state === "loading" && !fresh && <CircularProgress aria-label="Loading the load tests" />}
        {jobs.state === "error" && !fresh && <LoadError what="The load tests" message={jobs.message} retry={reload} />}
        {list && list.length === 0 && <Alert severity="info">No load test has been run on this deployment.</Alert>}
        {list && list.length > 0 && <JobsTable jobs={list} onDelete={setConfirm} />}
      </Paper>
      <Dialog open={confirm !== null} onClose={() => setConfirm(null)} aria-labelledby="delete-job-title">
        <DialogTitle id="delete-job-title">Delete load test {confirm}?</DialogTitle>
        <DialogContent>
          <DialogContentText>A running load test is stopped; its results are removed.</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirm(null)}>Cancel</Button>
          <Button variant="contained" color="error" onClick={() => confirm && void remove(confirm)}>
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function statusColor(status: string): "success" | "warning" | "error" | "default" {
  if (status === "Succeeded") return "success";
  if (ACTIVE_JOB.has(status)) return "warning";
  if (status === "Failed") return "error";
  return "default";
}

function JobsTable({ jobs, onDelete }: { jobs: LoadTestJob[]; onDelete: (job: string) => void }) {
  return (
    <Table size="small" aria-label="Load test jobs">
      <TableHead>
        <TableRow>
          <TableCell>Job</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Load</TableCell>
          <TableCell align="right">Requests</TableCell>
          <TableCell align="right">Failed</TableCell>
          <TableCell align="right">Throughput</TableCell>
          <TableCell align="right">p50</TableCell>
          <TableCell align="right">p90</TableCell>
          <TableCell align="right">p99</TableCell>
          <TableCell>Errors</TableCell>
          <TableCell>
            Actions
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {jobs.map((job) => {
          const r = job.result;
          const errors = r ? Object.entries(r.errors) : [];
          return (
            <TableRow key={job.jobName} data-job={job.jobName} data-status={job.status}>
              <TableCell>
                {job.jobName}
                <Typography variant="caption" sx={{ display: "block" }} color="text.secondary">
                  {job.createdAt ? new Date(job.createdAt).toLocaleString() : ""}
                  {job.createdBy ? ` by ${job.createdBy}` : ""}
                </Typography>
              </TableCell>
              <TableCell>
                <Chip size="small" label={job.status} color={statusColor(job.status)} />
                {job.reason && (
                  <Typography variant="caption" sx={{ display: "block" }}>
                    {job.reason}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                {job.connectionsNumber} conn.,{" "}
                {job.requestsNumber !== null ? `${job.requestsNumber} requests` : `${job.duration ?? "?"} s`}
              </TableCell>
              <TableCell align="right">
                <span data-field="requests">{r ? formatNumber(r.requests) : "—"}</span>
                {r?.endpoints && Object.keys(r.endpoints).length > 1 && (
                  <Typography variant="caption" sx={{ display: "block" }} color="text.secondary">
                    {Object.entries(r.endpoints)
                      .map(([endpoint, e]) => `${endpoint} ${formatNumber(e.requests)}`)
                      .join(" · ")}
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right">{r ? formatNumber(r.failed) : "—"}</TableCell>
              <TableCell align="right">{r ? `${formatNumber(r.throughput, 1)}/s` : "—"}</TableCell>
              <TableCell align="right">{formatMs(r?.latencyMs.p50)}</TableCell>
              <TableCell align="right">{formatMs(r?.latencyMs.p90)}</TableCell>
              <TableCell align="right">{formatMs(r?.latencyMs.p99)}</TableCell>
              <TableCell>{errors.length ? errors.map(([what, n]) => `${what}: ${n}`).join(", ") : r ? "none" : "—"}</TableCell>
              <TableCell>
                <Button size="small" color="error" onClick={() => onDelete(job.jobName)} aria-label={`Delete ${job.jobName}`}>
                  Delete
                </Button>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
