import {
  Alert,
  Box,
  Chip,
  CircularProgress,
  FormControl,
  FormControlLabel,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useEffect, useMemo, useRef, useState } from "react";
import { describeError } from "../../api/client";
import { lastLines, OpsApi, type Processes } from "../../api/ops";
import { useSession } from "../../state/session";
import { useDeploymentParams } from "./useDeploymentParams";

const FOLLOW_MS = 3000;

function stateColor(state: string): "success" | "warning" | "error" | "default" {
  if (state === "ready") return "success";
  if (state === "starting" || state === "restarting") return "warning";
  if (state === "crashed" || state === "failed") return "error";
  return "default";
}

/** The deployment's MLServer processes (state, restarts, port) and the recent output of one of them. */
export default function Resources() {
  const { kind, namespace, name, rawKind } = useDeploymentParams();
  const { client } = useSession();
  const ops = useMemo(() => new OpsApi(client), [client]);
  const [data, setData] = useState<Processes | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>("");
  const [follow, setFollow] = useState(true);
  const [tail, setTail] = useState("50");
  const logBox = useRef<HTMLPreElement>(null);

  // Read once, then again every few seconds while following (the runtime keeps only recent lines: no stream).
  useEffect(() => {
    if (!kind) return;
    let live = true;
    const controller = new AbortController();
    const read = () =>
      ops.processes(kind, namespace, name, controller.signal).then(
        (value) => {
          if (!live) return;
          setData(value);
          setError(null);
        },
        (e: unknown) => live && setError(describeError(e)),
      );
    void read();
    const timer = follow ? window.setInterval(read, FOLLOW_MS) : undefined;
    return () => {
      live = false;
      controller.abort();
      window.clearInterval(timer);
    };
  }, [ops, kind, namespace, name, follow]);

  const processes = data?.processes ?? [];
  const current = processes.find((p) => p.name === selected) ?? processes[0];
  const tailCount = Number(tail);
  const tailError = tail !== "" && (!Number.isInteger(tailCount) || tailCount < 1) ? "a whole number of lines, 1 or more" : null;
  const lines = current ? lastLines(current.logs, tailError ? 0 : tailCount) : [];

  useEffect(() => {
    if (follow && logBox.current) logBox.current.scrollTop = logBox.current.scrollHeight;
  }, [follow, lines.length, current?.name, data]);

  if (!kind) return <Alert severity="error">Unknown kind of deployment: {rawKind}</Alert>;
  if (!data && !error) return <CircularProgress aria-label="Loading the processes" />;

  return (
    <Box>
      <Typography variant="h5" component="h1" gutterBottom>
        Resources
      </Typography>
      {error && (
        <Alert severity="error" sx={{ mb: 2 }}>
          The processes could not be loaded: {error}
        </Alert>
      )}
      {data && (
        <>
          <Typography sx={{ mb: 1 }}>
            Deployment status: <strong>{data.status}</strong>
            {data.reason ? ` (${data.reason})` : ""}
          </Typography>
          {processes.length === 0 ? (
            <Alert severity="info" sx={{ mb: 2 }}>
              No process is running for this deployment
              {data.idlePredictors.length ? ` (predictors without a process: ${data.idlePredictors.join(", ")})` : ""}.
            </Alert>
          ) : (
            <Paper variant="outlined" sx={{ mb: 2, overflowX: "auto" }}>
              <Table size="small" aria-label="Processes">
                <TableHead>
                  <TableRow>
                    <TableCell>Predictor</TableCell>
                    <TableCell>Process</TableCell>
                    <TableCell>State</TableCell>
                    <TableCell align="right">Restarts</TableCell>
                    <TableCell align="right">PID</TableCell>
                    <TableCell align="right">Port</TableCell>
                    <TableCell>Started</TableCell>
                    <TableCell>Model</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {processes.map((p) => (
                    <TableRow key={p.name} selected={p.name === current?.name}>
                      <TableCell>
                        {p.predictor}
                        {p.role === "shadow" ? " (shadow)" : p.traffic !== null ? ` (${p.traffic} %)` : ""}
                      </TableCell>
                      <TableCell>{p.name}</TableCell>
                      <TableCell>
                        <Chip size="small" label={p.state} color={stateColor(p.state)} />
                        {p.reason ? <Typography variant="caption" sx={{ display: "block" }}>{p.reason}</Typography> : null}
                      </TableCell>
                      <TableCell align="right">{p.restarts}</TableCell>
                      <TableCell align="right">{p.pid ?? "—"}</TableCell>
                      <TableCell align="right">{p.port ?? "—"}</TableCell>
                      <TableCell>{p.startedAt ? new Date(p.startedAt).toLocaleString() : "—"}</TableCell>
                      <TableCell sx={{ wordBreak: "break-all" }}>{p.model ?? "—"}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Paper>
          )}
          {current && (
            <Paper variant="outlined" sx={{ p: 2 }}>
              <Typography variant="h6" component="h2" gutterBottom>
                Logs
              </Typography>
              <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center", mb: 1 }}>
                <FormControl size="small" sx={{ minWidth: 240 }}>
                  <InputLabel id="log-process-label">Process</InputLabel>
                  <Select
                    labelId="log-process-label"
                    label="Process"
                    value={current.name}
                    onChange={(e) => setSelected(e.target.value)}
                  >
                    {processes.map((p) => (
                      <MenuItem key={p.name} value={p.name}>
                        {p.name}
                      </MenuItem>
                    ))}
                  </Select>
                </FormControl>
                <TextField
                  size="small"
                  label="Last lines"
                  value={tail}
                  onChange={(e) => setTail(e.target.value)}
                  error={tailError !== null}
                  helperText={tailError ?? " "}
                  slotProps={{ htmlInput: { inputMode: "numeric" } }}
                  sx={{ width: 160 }}
                />
                <FormControlLabel
                  control={<Switch checked={follow} onChange={(e) => setFollow(e.target.checked)} />}
                  label="Follow"
                />
              </Box>
              {lines.length === 0 ? (
                <Typography color="text.secondary">This process has written no output yet.</Typography>
              ) : (
                <Box
                  component="pre"
                  ref={logBox}
                  tabIndex={0}
                  aria-label={`Output of ${current.name}`}
                  sx={{ maxHeight: 360, overflow: "auto", m: 0, p: 1, bgcolor: "grey.100", fontSize: 12, whiteSpace: "pre-wrap" }}
                >
                  {lines.join("\n")}
                </Box>
              )}
              <Typography variant="caption" color="text.secondary">
                The runtime keeps the most recent lines of each process; follow re-reads them every {FOLLOW_MS / 1000} s.
              </Typography>
            </Paper>
          )}
        </>
      )}
    </Box>
  );
}
