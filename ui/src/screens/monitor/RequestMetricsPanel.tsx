import { Alert, Box, CircularProgress, Paper, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { LineChart } from "@mui/x-charts/LineChart";
import type { ReactNode } from "react";
import type { RequestMetrics } from "../../api/monitor";
import type { Loaded } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { formatNumber, formatSeconds } from "./format";

/** Request metrics per predictor (default / canary / shadow side by side): totals table and charts over time. */
export function RequestMetricsPanel({ loaded, retry }: { loaded: Loaded<RequestMetrics>; retry: () => void }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Requests
      </Typography>
      {loaded.state === "loading" && <CircularProgress aria-label="Loading the request metrics" />}
      {loaded.state === "error" && <LoadError what="The request metrics" message={loaded.message} retry={retry} />}
      {loaded.state === "ready" && <RequestMetricsView metrics={loaded.value} />}
    </Paper>
  );
}

function RequestMetricsView({ metrics }: { metrics: RequestMetrics }) {
  const predictors = metrics.predictors.filter((p) => p.total.requests > 0);
  if (predictors.length === 0) {
    return (
      <Alert severity="info">
        No requests in this time range ({new Date(metrics.start).toLocaleString()} –{" "}
        {new Date(metrics.end).toLocaleString()}).
      </Alert>
    );
  }
  const times = (predictors[0]?.points ?? []).map((p) => new Date(p.time));
  const series = (pick: (p: (typeof predictors)[number]["points"][number]) => number | null, unit = 1) =>
    predictors.map((predictor) => ({
      label: predictor.predictor,
      data: predictor.points.map((point) => {
        const value = pick(point);
        return value === null ? null : value * unit;
      }),
      showMark: false,
      connectNulls: false,
    }));
  const xAxis = [{ data: times, scaleType: "time" as const }];
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {metrics.step} s windows, from {metrics.source === "prometheus" ? "Prometheus" : "Warden's request rollups"}
      </Typography>
      <Table aria-label="Request metrics per predictor" size="small" sx={{ mb: 2 }}>
        <TableHead>
          <TableRow>
            <TableCell>Predictor</TableCell>
            <TableCell align="right">Requests</TableCell>
            <TableCell align="right">Requests/s</TableCell>
            <TableCell align="right">Success</TableCell>
            <TableCell align="right">Failure</TableCell>
            <TableCell align="right">p50</TableCell>
            <TableCell align="right">p90</TableCell>
            <TableCell align="right">p99</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {predictors.map(({ predictor, total }) => (
            <TableRow key={predictor} data-predictor={predictor}>
              <TableCell>{predictor}</TableCell>
              <TableCell align="right">{formatNumber(total.requests, 0)}</TableCell>
              <TableCell align="right">{formatNumber(total.requestsPerSecond, 3)}</TableCell>
              <TableCell align="right">{formatNumber(total.success, 0)}</TableCell>
              <TableCell align="right">{formatNumber(total.failure, 0)}</TableCell>
              <TableCell align="right">{formatSeconds(total.latencySeconds.p50)}</TableCell>
              <TableCell align="right">{formatSeconds(total.latencySeconds.p90)}</TableCell>
              <TableCell align="right">{formatSeconds(total.latencySeconds.p99)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box sx={{ display: "grid", gridTemplateColumns: { md: "1fr 1fr" }, gap: 2 }}>
        <Chart title="Requests per second">
          <LineChart skipAnimation height={220} xAxis={xAxis} series={series((p) => p.requestsPerSecond)} />
        </Chart>
        <Chart title="Failed requests per window">
          <LineChart
            skipAnimation
            height={220}
            xAxis={xAxis}
            yAxis={[{ min: 0, tickMinStep: 1 }]}
            series={series((p) => p.failure)}
          />
        </Chart>
        {predictors.map((predictor) => (
          <Chart key={predictor.predictor} title={`Latency of ${predictor.predictor} (ms)`}>
            <LineChart
              skipAnimation
              height={220}
              xAxis={xAxis}
              series={(["p50", "p90", "p99"] as const).map((q) => ({
                label: q,
                data: predictor.points.map((p) => {
                  const seconds = p.latencySeconds[q];
                  return seconds === null || seconds === undefined ? null : seconds * 1000;
                }),
                // Latency exists only in windows with requests: marks keep lone windows visible.
                showMark: true,
              }))}
            />
          </Chart>
        ))}
      </Box>
    </>
  );
}

/** A chart with a heading that names it (charts are pictures: the heading is what a screen reader gets). */
export function Chart({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="figure" sx={{ m: 0 }} aria-label={title}>
      <Typography component="figcaption" variant="subtitle2">
        {title}
      </Typography>
      {children}
    </Box>
  );
}
