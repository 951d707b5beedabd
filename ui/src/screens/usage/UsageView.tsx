import { Alert, Box, CircularProgress, FormControl, InputLabel, MenuItem, Paper, Select, Typography } from "@mui/material";
import { LineChart } from "@mui/x-charts/LineChart";
import { useMemo, useState } from "react";
import { formatBytes, RANGES, UsageApi, type Range, type UsagePoint, type UsageScope } from "../../api/usage";
import { useSession } from "../../state/session";
import { useLoad } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { onOneAxis } from "./chartData";

function Chart({ title, series, value, format }: {
  title: string;
  series: Parameters<typeof onOneAxis>[0];
  value: (p: UsagePoint) => number | null;
  format: (v: number | null) => string;
}) {
  const { times, lines } = onOneAxis(series, value);
  return (
    <Paper variant="outlined" sx={{ p: 2, flex: "1 1 360px", minWidth: 0 }} component="section" aria-label={title}>
      <Typography variant="subtitle1" component="h3">
        {title}
      </Typography>
      <LineChart
        height={240}
        xAxis={[{ data: times, scaleType: "time" }]}
        yAxis={[{ valueFormatter: (v: number | null) => format(v), width: 80 }]}
        // A line needs two points: with few points, marks show each one.
        series={lines.map((l) => ({ ...l, showMark: times.length < 12, connectNulls: true, valueFormatter: format }))}
      />
    </Paper>
  );
}

/** Processes, CPU and memory over time for one scope (a deployment, a namespace or everything). */
export function UsageView({ scope, title }: { scope: UsageScope; title: string }) {
  const { client } = useSession();
  const api = useMemo(() => new UsageApi(client), [client]);
  const [range, setRange] = useState<Range>("1h");
  const key = JSON.stringify(scope);
  const [usage, reload] = useLoad(() => api.usage(scope, range), [api, key, range]);

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2, flexWrap: "wrap" }}>
        <Typography variant="h5" component="h1">
          {title}
        </Typography>
        <FormControl size="small" sx={{ minWidth: 140 }}>
          <InputLabel id="usage-range-label">Range</InputLabel>
          <Select labelId="usage-range-label" label="Range" value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {Object.keys(RANGES).map((r) => (
              <MenuItem key={r} value={r}>
                last {r}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Box>
      {usage.state === "loading" && <CircularProgress aria-label="Loading the usage" />}
      {usage.state === "error" && <LoadError what="The usage" message={usage.message} retry={reload} />}
      {usage.state === "ready" && usage.value.series.every((s) => s.points.length === 0) && (
        <Alert severity="info">No usage was recorded in the last {range}: no model server ran in this scope.</Alert>
      )}
      {usage.state === "ready" && usage.value.series.some((s) => s.points.length > 0) && (
        <>
          <Paper variant="outlined" sx={{ p: 2, mb: 2 }} component="section" aria-label="Usage summary">
            <Typography>
              Averages over the last {range}: <strong>{usage.value.summary.averageProcesses?.toFixed(1) ?? "—"}</strong>{" "}
              processes, <strong>{usage.value.summary.averageCpuCores?.toFixed(3) ?? "—"}</strong> CPU cores,{" "}
              <strong>{formatBytes(usage.value.summary.averageMemoryBytes)}</strong> memory
              {usage.value.step ? ` (one point every ${usage.value.step} s)` : ""}.
            </Typography>
          </Paper>
          <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
            <Chart title="CPU (cores)" series={usage.value.series} value={(p) => p.cpuCores} format={(v) => (v === null ? "—" : v.toFixed(3))} />
            <Chart title="Memory" series={usage.value.series} value={(p) => p.memoryBytes} format={formatBytes} />
            <Chart title="Processes" series={usage.value.series} value={(p) => p.processes} format={(v) => (v === null ? "—" : String(v))} />
          </Box>
        </>
      )}
    </Box>
  );
}
