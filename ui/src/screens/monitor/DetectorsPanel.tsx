import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import { LineChart } from "@mui/x-charts/LineChart";
import { useState, type ReactNode } from "react";
import {
  DETECTOR_LABEL,
  type AccuracyMetrics,
  type Detector,
  type DetectorKind,
  type DriftTimeline,
  type FeatureDistribution,
  type MonitorApi,
  type TimeRange,
} from "../../api/monitor";
import { useLoad } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { CreateDetectorButton, RemoveDetectorDialog } from "./DetectorDialogs";
import { DETECTOR_KINDS, stateColor, useDetectorLists } from "./detectors";
import { barsOf, formatNumber, formatPercent } from "./format";
import { Chart } from "./RequestMetricsPanel";
import { useDeploymentApi } from "./useDeploymentApi";

/** Outlier and drift timelines and accuracy metrics of the deployment's detectors over the time range; each kind's
 * Create button and each detector's Remove button. */
export function DetectorsPanel({
  monitor,
  range,
  firstFeature,
}: {
  monitor: MonitorApi;
  range: TimeRange;
  firstFeature: string | null;
}) {
  const deployment = useDeploymentApi();
  const [loaded, reload] = useDetectorLists(monitor);
  const [removing, setRemoving] = useState<{ kind: DetectorKind; name: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const changed = (what: string) => {
    setDone(what);
    reload();
  };
  const box = (kind: DetectorKind, d: Detector, view: ReactNode) => (
    <DetectorBox key={d.name} detector={d} kind={kind} onRemove={() => setRemoving({ kind, name: d.name })}>
      {view}
    </DetectorBox>
  );
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }} component="section" aria-labelledby="detectors-heading">
      <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1, mb: 1 }}>
        <Typography variant="h6" component="h2" id="detectors-heading" sx={{ flexGrow: 1 }}>
          Detectors
        </Typography>
        {deployment &&
          DETECTOR_KINDS.map((kind) => (
            <Box key={kind} sx={{ display: "inline-flex", alignItems: "center", gap: 0.5 }}>
              <Typography variant="body2" component="span">
                {DETECTOR_LABEL[kind]}
              </Typography>
              <CreateDetectorButton
                kind={kind}
                deployment={deployment}
                monitor={monitor}
                onCreated={(name) => changed(`${DETECTOR_LABEL[kind]} ${name} created.`)}
              />
            </Box>
          ))}
      </Box>
      {done && (
        <Alert severity="success" sx={{ mb: 1 }} onClose={() => setDone(null)}>
          {done}
        </Alert>
      )}
      {loaded.state === "loading" && <CircularProgress aria-label="Loading the detectors" />}
      {loaded.state === "error" && <LoadError what="The detectors" message={loaded.message} retry={reload} />}
      {loaded.state === "ready" &&
        (DETECTOR_KINDS.every((k) => loaded.value[k].length === 0) ? (
          <Alert severity="info">This deployment has no outlier detector, drift detector or metrics server.</Alert>
        ) : (
          <>
            {loaded.value["outlier-detector"].map((d) =>
              box("outlier-detector", d, <OutlierTimeline monitor={monitor} range={range} feature={firstFeature} />),
            )}
            {loaded.value["drift-detector"].map((d) =>
              box("drift-detector", d, <DriftView monitor={monitor} range={range} detector={d.name} />),
            )}
            {loaded.value["metrics-server"].map((d) =>
              box("metrics-server", d, <AccuracyView monitor={monitor} range={range} detector={d.name} />),
            )}
          </>
        ))}
      {removing && (
        <RemoveDetectorDialog
          {...removing}
          monitor={monitor}
          onClose={() => setRemoving(null)}
          onRemoved={(name) => {
            setRemoving(null);
            changed(`${DETECTOR_LABEL[removing.kind]} ${name} removed.`);
          }}
        />
      )}
    </Paper>
  );
}

function DetectorBox({
  detector,
  kind,
  onRemove,
  children,
}: {
  detector: Detector;
  kind: DetectorKind;
  onRemove: () => void;
  children: ReactNode;
}) {
  return (
    <Box sx={{ mb: 3 }} data-detector={detector.name} data-kind={kind}>
      <Box sx={{ display: "flex", gap: 1, alignItems: "center", mb: 1 }}>
        <Typography variant="subtitle1" component="h3">
          {DETECTOR_LABEL[kind]} {detector.name}
        </Typography>
        <Chip size="small" label={detector.status.state} color={stateColor(detector.status.state)} />
        <Button size="small" color="error" onClick={onRemove} aria-label={`Remove ${detector.name}`}>
          Remove
        </Button>
      </Box>
      {detector.status.reason && <Alert severity="error">{detector.status.reason}</Alert>}
      {children}
    </Box>
  );
}

/** Outliers per time slice: the logged predictions marked as outliers, beside all of them. */
function OutlierTimeline({ monitor, range, feature }: { monitor: MonitorApi; range: TimeRange; feature: string | null }) {
  const [loaded, reload] = useLoad(async (): Promise<[FeatureDistribution, FeatureDistribution] | null> => {
    if (!feature) return null;
    const time = { is_timestamp: true, gte: range.start.toISOString(), lt: range.end.toISOString() };
    const query = { feature, interaction: "request" as const, parameters: { number_of_time_buckets: 20 } };
    return Promise.all([
      monitor.featureDistribution({ ...query, filters: [time] }),
      monitor.featureDistribution({ ...query, filters: [time, { is_outlier: true }] }),
    ]);
  }, [monitor, range, feature]);
  if (loaded.state === "loading") return <CircularProgress aria-label="Loading the outlier timeline" />;
  if (loaded.state === "error") return <LoadError what="The outlier timeline" message={loaded.message} retry={reload} />;
  if (loaded.value === null || loaded.value[0].total_instances === 0) {
    return <Alert severity="info">No logged predictions in this time range, so no outliers to show.</Alert>;
  }
  const all = barsOf(loaded.value[0].distribution.buckets);
  const outliers = barsOf(loaded.value[1].distribution.buckets);
  const outlierBy = new Map(outliers.labels.map((label, i) => [label, outliers.counts[i]]));
  return (
    <Chart title={`Outliers per time slice (${formatNumber(loaded.value[1].total_instances)} of ${formatNumber(loaded.value[0].total_instances)} instances)`}>
      <BarChart
        skipAnimation
        height={220}
        xAxis={[{ data: all.labels.map((k) => new Date(k).toLocaleTimeString()), scaleType: "band" }]}
        series={[
          { data: all.counts, label: "All instances" },
          { data: all.labels.map((label) => outlierBy.get(label) ?? 0), label: "Outliers" },
        ]}
      />
    </Chart>
  );
}

function DriftView({ monitor, range, detector }: { monitor: MonitorApi; range: TimeRange; detector: string }) {
  const [loaded, reload] = useLoad(() => monitor.driftTimeline(detector, range), [monitor, range, detector]);
  if (loaded.state === "loading") return <CircularProgress aria-label="Loading the drift timeline" />;
  if (loaded.state === "error") return <LoadError what="The drift timeline" message={loaded.message} retry={reload} />;
  return <DriftTimelineView timeline={loaded.value} />;
}

/** The lowest p-value of a window: the window's own, else its most drifted feature's. */
function windowPValue(window: DriftTimeline["windows"][number]): number | null {
  if (window.pValue !== null && window.pValue !== undefined) return window.pValue;
  const features = window.features ?? [];
  return features.length ? Math.min(...features.map((f) => f.pValue)) : null;
}

function DriftTimelineView({ timeline }: { timeline: DriftTimeline }) {
  const windows = timeline.windows;
  if (windows.length === 0) return <Alert severity="info">No drift windows closed in this time range.</Alert>;
  const drifted = windows.filter((w) => w.isDrift).length;
  return (
    <>
      <Typography variant="body2" sx={{ mb: 1 }}>
        {windows.length} windows, {drifted} with drift; latest: {windows[windows.length - 1]?.isDrift ? "drift" : "no drift"}
      </Typography>
      <Chart title="Drift p-value per window (lowest feature p-value for feature-wise tests)">
        <LineChart
          skipAnimation
          height={220}
          xAxis={[
            {
              data: windows.map((w) => new Date(w.windowEnd)),
              scaleType: "time",
              valueFormatter: (value: Date) => value.toLocaleTimeString(),
            },
          ]}
          series={[
            { data: windows.map(windowPValue), label: "p-value", showMark: true },
            { data: windows.map((w) => (w.isDrift ? 1 : 0)), label: "drift (1 = yes)", showMark: true },
          ]}
        />
      </Chart>
    </>
  );
}

function AccuracyView({ monitor, range, detector }: { monitor: MonitorApi; range: TimeRange; detector: string }) {
  const [loaded, reload] = useLoad(() => monitor.accuracy(detector, range), [monitor, range, detector]);
  if (loaded.state === "loading") return <CircularProgress aria-label="Loading the accuracy metrics" />;
  if (loaded.state === "error") return <LoadError what="The accuracy metrics" message={loaded.message} retry={reload} />;
  return <AccuracyTable metrics={loaded.value} />;
}

function AccuracyTable({ metrics }: { metrics: AccuracyMetrics }) {
  if (metrics.rows === 0) return <Alert severity="info">No feedback was counted in this time range.</Alert>;
  const rows = [
    { label: "Overall (micro)", ...metrics.overall },
    { label: "Macro average", ...metrics.macro },
    ...metrics.classes.map((c) => ({ ...c, label: c.class })),
  ];
  return (
    <Table size="small" aria-label="Accuracy metrics">
      <TableHead>
        <TableRow>
          <TableCell>{formatNumber(metrics.rows)} feedback rows</TableCell>
          <TableCell align="right">Accuracy</TableCell>
          <TableCell align="right">Precision</TableCell>
          <TableCell align="right">Recall</TableCell>
          <TableCell align="right">Specificity</TableCell>
          <TableCell align="right">F1</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.label}>
            <TableCell>{r.label}</TableCell>
            <TableCell align="right">{formatPercent(r.accuracy)}</TableCell>
            <TableCell align="right">{formatPercent(r.precision)}</TableCell>
            <TableCell align="right">{formatPercent(r.recall)}</TableCell>
            <TableCell align="right">{formatPercent(r.specificity)}</TableCell>
            <TableCell align="right">{formatPercent(r.f1)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
