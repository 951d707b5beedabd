import {
  Alert,
  Box,
  Button,
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
import { ANY_TIME, download, LogsApi, parseTailLines, SINCE_WINDOWS } from "../../api/logs";
import { OpsApi } from "../../api/ops";
import { useSession } from "../../state/session";
import { usePolled } from "../../state/usePolled";
import { useDeploymentParams } from "./useDeploymentParams";

const REFRESH_MS = 5000;
/** Lines kept on screen while following: a chatty process must not grow the page without end. */
const MAX_SHOWN = 5000;

type LogState = "idle" | "loading" | "loaded" | "following" | "ended" | "failed";

function keepLast(lines: string[]): string[] {
  return lines.length > MAX_SHOWN ? lines.slice(-MAX_SHOWN) : lines;
}

function linesOf(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function stateColor(raw: string): "success" | "warning" | "error" | "default" {
  const state = raw.toLowerCase(); // the runtime says "Ready", "Crashed", ...
  if (state === "ready") return "success";
  if (state === "starting" || state === "restarting") return "warning";
  if (state === "crashed" || state === "failed") return "error";
  return "default";
}

/** The deployment's MLServer processes (state, restarts, port) and the output of one of them: its last lines, or
 * followed live (a stream from `{deployment}/resources/logs?follow=true`), and downloadable. */
export default function Resources() {
  const { kind, namespace, name, rawKind } = useDeploymentParams();
  const { client } = useSession();
  const ops = useMemo(() => new OpsApi(client), [client]);
  const logsApi = useMemo(() => new LogsApi(client), [client]);
  const [selected, setSelected] = useState<string>("");
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [tail, setTail] = useState("100");
  const [sinceWindow, setSinceWindow] = useState(0); // an index of SINCE_WINDOWS
  const [lines, setLines] = useState<string[]>([]);
  const [logState, setLogState] = useState<LogState>("idle");
  const [logError, setLogError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const logBox = useRef<HTMLPreElement>(null);

  // The process table: read once, then every few seconds (states and restarts change; the log is streamed below).
  const { value: data, error } = usePolled(
    kind ? (signal) => ops.processes(kind, namespace, name, signal) : null,
    REFRESH_MS,
    [ops, kind, namespace, name],
  );

  const processes = data?.processes ?? [];
  const current = processes.find((p) => p.name === selected) ?? processes[0];
  const processName = current?.name ?? null;
  const { value: tailLines, error: tailError } = parseTailLines(tail);
  const since = SINCE_WINDOWS[sinceWindow] ?? ANY_TIME;

  // The chosen process's log: its last lines, or (Follow) a stream that goes on until the process ends, the choice
  // changes or the screen goes away (the request is aborted: the server lets go of its reader).
  useEffect(() => {
    if (!kind || !processName || tailError) return;
    const controller = new AbortController();
    const query = {
      process: processName,
      timestamps,
      ...(tailLines !== null ? { tailLines } : {}),
      ...(since.seconds !== null ? { sinceSeconds: since.seconds } : {}),
    };
    setLines([]);
    setLogError(null);
    const failed = (e: unknown) => {
      if (controller.signal.aborted) return;
      setLogError(describeError(e));
      setLogState("failed");
    };
    if (follow) {
      setLogState("following");
      logsApi
        .follow(kind, namespace, name, query, (more) => setLines((prev) => keepLast([...prev, ...more])), controller.signal)
        .then((end) => end === "ended" && setLogState("ended"), failed);
    } else {
      setLogState("loading");
      logsApi.text(kind, namespace, name, query, controller.signal).then((text) => {
        if (controller.signal.aborted) return;
        setLines(linesOf(text));
        setLogState("loaded");
      }, failed);
    }
    return () => controller.abort();
  }, [logsApi, kind, namespace, name, processName, tailLines, tailError, since, timestamps, follow, reloads]);

  useEffect(() => {
    if (follow && logBox.current) logBox.current.scrollTop = logBox.current.scrollHeight;
  }, [follow, lines]);

  const saveLog = () => {
    if (!kind || !processName) return;
    setDownloadError(null);
    logsApi.text(kind, namespace, name, { process: processName, timestamps: true }).then(
      (text) => download(text, `${namespace}-${name}-${processName}.log`),
      (e: unknown) => setDownloadError(describeError(e)),
    );
  };

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
                  helperText={tailError ?? "empty: all kept lines"}
                  slotProps={{ htmlInput: { inputMode: "numeric" } }}
                  sx={{ width: 160 }}
                />
                <FormControl size="small" sx={{ minWidth: 200 }}>
                  <InputLabel id="log-since-label">Written</InputLabel>
                  <Select
                    labelId="log-since-label"
                    label="Written"
                    value={sinceWindow}
                    onChange={(e) => setSinceWindow(Number(e.target.value))}
                  >
                    {SINCE_WINDOWS.map((w, i) => (
                      <MenuItem key={w.label} value={i}>
                        {w.label}
                      </MenuItem>
                    ))}
                  </Select>
                </FormControl>
                <FormControlLabel
                  control={<Switch checked={follow} onChange={(e) => setFollow(e.target.checked)} />}
                  label="Follow"
                />
                <FormControlLabel
                  control={<Switch checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />}
                  label="Timestamps"
                />
                {!follow && (
                  <Button variant="outlined" onClick={() => setReloads((n) => n + 1)}>
                    Refresh
                  </Button>
                )}
                <Button variant="outlined" onClick={saveLog}>
                  Download
                </Button>
              </Box>
              {downloadError && (
                <Alert severity="error" sx={{ mb: 1 }}>
                  The log could not be downloaded: {downloadError}
                </Alert>
              )}
              {logError && (
                <Alert severity="error" sx={{ mb: 1 }}>
                  The output of {current.name} could not be read: {logError}
                </Alert>
              )}
              <Typography variant="body2" sx={{ mb: 1 }} aria-live="polite">
                {logState === "following" && "Following: new lines appear as the process writes them."}
                {logState === "ended" &&
                  "The process ended or was stopped, so the stream closed. Switch Follow off and on to follow its next run."}
                {logState === "loading" && "Reading the log…"}
                {logState === "loaded" && `${lines.length} line${lines.length === 1 ? "" : "s"} (switch Follow on to see new ones live).`}
              </Typography>
              {lines.length === 0 ? (
                logState !== "failed" && logState !== "loading" && (
                  <Typography color="text.secondary">
                    {tailError
                      ? "Correct the number of lines to read the log."
                      : since.seconds !== null
                        ? `This process has written no output ${since.label}.`
                        : "This process has written no output yet."}
                  </Typography>
                )
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
                The runtime keeps the most recent lines of each process (1000 by default); the screen shows at most{" "}
                {MAX_SHOWN}.
              </Typography>
            </Paper>
          )}
        </>
      )}
    </Box>
  );
}
