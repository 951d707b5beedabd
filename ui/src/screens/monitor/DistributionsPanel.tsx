import DeleteIcon from "@mui/icons-material/Delete";
import {
  Alert,
  Box,
  Button,
  CircularProgress,
  IconButton,
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
import { BarChart } from "@mui/x-charts/BarChart";
import { useState } from "react";
import { describeError } from "../../api/client";
import type { FeatureDistribution, FeatureStatistics, LoggedFeatures, MonitorApi, TimeRange } from "../../api/monitor";
import { barsOf, buildFilters, formatNumber, histogramLabel, splitFeature, type Cohort } from "./format";
import { Chart } from "./RequestMetricsPanel";

interface Result {
  distribution: FeatureDistribution;
  statistics: FeatureStatistics;
  overTime: FeatureDistribution | null;
  interval: number | undefined;
}

const NEW_COHORT: Cohort = { feature: "", kind: "range", min: "", max: "", categories: "" };

/** Feature distributions of the logged predictions, with cohort filters, histogram interval and time buckets. */
export function DistributionsPanel({
  monitor,
  features,
  range,
  predictors,
}: {
  monitor: MonitorApi;
  features: LoggedFeatures;
  range: () => TimeRange;
  predictors: string[];
}) {
  const options = [
    ...features.request.map((f) => ({ value: `request:${f}`, label: `request: ${f}` })),
    ...features.response.map((f) => ({ value: `response:${f}`, label: `response: ${f}` })),
  ];
  const [feature, setFeature] = useState(options[0]?.value ?? "");
  const [endpoint, setEndpoint] = useState("");
  const [histInterval, setHistInterval] = useState("");
  const [buckets, setBuckets] = useState("10");
  const [cohorts, setCohorts] = useState<Cohort[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);

  if (options.length === 0) {
    return (
      <Alert severity="info">
        No predictions are logged for this deployment yet, so there are no features to show: make a prediction first.
      </Alert>
    );
  }

  async function show() {
    setError(null);
    try {
      const [interaction, name] = splitFeature(feature);
      const width = histInterval.trim() ? Number(histInterval) : undefined;
      if (width !== undefined && !(width > 0)) throw new Error(`Histogram interval: "${histInterval}" is not a positive number`);
      const slices = Number(buckets);
      if (!Number.isInteger(slices) || slices < 1 || slices > 100) {
        throw new Error(`Time buckets: "${buckets}" is not a whole number from 1 to 100`);
      }
      const query = {
        feature: name,
        interaction,
        filters: buildFilters(range(), cohorts),
        parameters: { ...(width !== undefined && { histogram_interval: width }), number_of_time_buckets: slices },
        ...(endpoint && { deployment_endpoint: endpoint }),
      };
      setBusy(true);
      const [distribution, statistics, overTime] = await Promise.all([
        monitor.featureDistribution({ ...query, aggregate_over_time: true }),
        monitor.featureStatistics({ ...query, aggregate_over_time: true }),
        slices > 1 ? monitor.featureDistribution({ ...query, aggregate_over_time: false }) : Promise.resolve(null),
      ]);
      setResult({ distribution, statistics, overTime, interval: width });
    } catch (err) {
      setResult(null);
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const setCohort = (i: number, change: Partial<Cohort>) =>
    setCohorts((list) => list.map((c, j) => (j === i ? { ...c, ...change } : c)));

  return (
    <>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, mb: 2 }}>
        <TextField select label="Feature" value={feature} onChange={(e) => setFeature(e.target.value)} sx={{ minWidth: 200 }}>
          {options.map((o) => (
            <MenuItem key={o.value} value={o.value}>
              {o.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Predictor"
          value={endpoint}
          onChange={(e) => setEndpoint(e.target.value)}
          sx={{ minWidth: 160 }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value="">All predictors</MenuItem>
          {predictors.map((p) => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Histogram interval"
          value={histInterval}
          onChange={(e) => setHistInterval(e.target.value)}
          helperText="Bucket width (numbers); empty: automatic"
          inputMode="decimal"
        />
        <TextField
          label="Time buckets"
          value={buckets}
          onChange={(e) => setBuckets(e.target.value)}
          helperText="Slices of the time range"
          inputMode="numeric"
        />
      </Box>
      <Typography variant="subtitle2" component="h3">
        Cohort
      </Typography>
      {cohorts.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          All logged predictions in the time range; add conditions to narrow them down.
        </Typography>
      )}
      {cohorts.map((cohort, i) => (
        <Box key={i} sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", my: 1 }}>
          <TextField
            select
            size="small"
            label={`Condition ${i + 1}: feature`}
            value={cohort.feature}
            onChange={(e) => setCohort(i, { feature: e.target.value })}
            sx={{ minWidth: 200 }}
          >
            {options.map((o) => (
              <MenuItem key={o.value} value={o.value}>
                {o.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Condition"
            value={cohort.kind}
            onChange={(e) => setCohort(i, { kind: e.target.value === "categories" ? "categories" : "range" })}
          >
            <MenuItem value="range">in a range</MenuItem>
            <MenuItem value="categories">one of the categories</MenuItem>
          </TextField>
          {cohort.kind === "range" ? (
            <>
              <TextField size="small" label="Minimum" value={cohort.min} onChange={(e) => setCohort(i, { min: e.target.value })} />
              <TextField size="small" label="Maximum" value={cohort.max} onChange={(e) => setCohort(i, { max: e.target.value })} />
            </>
          ) : (
            <TextField
              size="small"
              label="Categories (comma-separated)"
              value={cohort.categories}
              onChange={(e) => setCohort(i, { categories: e.target.value })}
            />
          )}
          <IconButton aria-label={`Remove condition ${i + 1}`} onClick={() => setCohorts((l) => l.filter((_, j) => j !== i))}>
            <DeleteIcon />
          </IconButton>
        </Box>
      ))}
      <Box sx={{ display: "flex", gap: 2, my: 2 }}>
        <Button variant="outlined" onClick={() => setCohorts((l) => [...l, { ...NEW_COHORT, feature }])}>
          Add condition
        </Button>
        <Button variant="contained" disabled={busy} onClick={() => void show()}>
          Show distribution
        </Button>
        {busy && <CircularProgress size={24} aria-label="Loading the distribution" />}
      </Box>
      {error && (
        <Alert severity="error" role="alert">
          The distribution could not be loaded: {error}
        </Alert>
      )}
      {result && <DistributionView result={result} />}
    </>
  );
}

function DistributionView({ result }: { result: Result }) {
  const { distribution, statistics, overTime } = result;
  if (distribution.total_instances === 0) {
    return (
      <Alert severity="info">
        No logged predictions of {distribution.feature} match this time range and cohort.
      </Alert>
    );
  }
  const bars = barsOf(distribution.distribution.buckets);
  const labels = distribution.type === "REAL" ? bars.labels.map((k) => histogramLabel(k, result.interval)) : bars.labels;
  const stats = statistics.stats;
  const what =
    distribution.type === "REAL"
      ? "Histogram"
      : distribution.type === "CATEGORICAL"
        ? "Counts per category"
        : "Sum of probabilities per class";
  const slices = barsOf(overTime?.distribution.buckets);
  return (
    <Box data-feature-type={distribution.type}>
      <Typography sx={{ mb: 1 }} aria-label="Feature statistics">
        {distribution.feature} ({distribution.type}, {distribution.interaction}): {formatNumber(distribution.total_instances)}{" "}
        {distribution.total_instances === 1 ? "instance" : "instances"}
        {distribution.type === "REAL" &&
          ` · min ${formatNumber(stats.min, 4)} · max ${formatNumber(stats.max, 4)} · mean ${formatNumber(stats.avg, 4)}`}
        {distribution.type === "CATEGORICAL" &&
          stats.most_frequent_category &&
          ` · most frequent: ${stats.most_frequent_category} (${formatNumber(stats.most_frequent_category_count)})`}
      </Typography>
      <Box sx={{ display: "grid", gridTemplateColumns: { md: "1fr 1fr" }, gap: 2 }}>
        <Chart title={`${what} of ${distribution.feature}`}>
          <BarChart skipAnimation height={260} xAxis={[{ data: labels, scaleType: "band" }]} series={[{ data: bars.counts, label: "Instances" }]} />
        </Chart>
        {overTime && slices.counts.length > 0 && (
          <Chart title="Instances per time slice">
            <BarChart
              skipAnimation
              height={260}
              xAxis={[{ data: slices.labels.map((k) => new Date(k).toLocaleTimeString()), scaleType: "band" }]}
              series={[{ data: slices.counts, label: "Instances" }]}
            />
          </Chart>
        )}
      </Box>
      {(distribution.type === "PROBA" || distribution.type === "ONE_HOT") && (stats.buckets?.length ?? 0) > 0 && (
        <Table size="small" aria-label="Statistics per class">
          <TableHead>
            <TableRow>
              <TableCell>Class</TableCell>
              <TableCell align="right">Count</TableCell>
              <TableCell align="right">Min</TableCell>
              <TableCell align="right">Max</TableCell>
              <TableCell align="right">Mean</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {stats.buckets?.map((b) => (
              <TableRow key={b.key}>
                <TableCell>{b.key}</TableCell>
                <TableCell align="right">{formatNumber(b.stats.count)}</TableCell>
                <TableCell align="right">{formatNumber(b.stats.min, 4)}</TableCell>
                <TableCell align="right">{formatNumber(b.stats.max, 4)}</TableCell>
                <TableCell align="right">{formatNumber(b.stats.avg, 4)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

export function DistributionsSection(props: Parameters<typeof DistributionsPanel>[0]) {
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Feature distributions
      </Typography>
      <DistributionsPanel {...props} />
    </Paper>
  );
}
