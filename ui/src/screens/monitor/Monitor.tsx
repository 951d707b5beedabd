import RefreshIcon from "@mui/icons-material/Refresh";
import { Alert, Box, Button, CircularProgress, MenuItem, TextField, Typography } from "@mui/material";
import { useMemo, useState } from "react";
import { loggedFeatures } from "../../api/monitor";
import { useLoad } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { DetectorsPanel } from "./DetectorsPanel";
import { DistributionsSection } from "./DistributionsPanel";
import { RANGES, rangeOf, STEPS } from "./format";
import { RequestMetricsPanel } from "./RequestMetricsPanel";
import { useDeploymentApi } from "./useDeploymentApi";

/** The Monitor tab: request metrics per predictor, feature distributions, detectors' timelines and accuracy. */
export function Monitor() {
  const deployment = useDeploymentApi();
  const [minutes, setMinutes] = useState(15);
  const [step, setStep] = useState<number | "">("");
  const [round, setRound] = useState(0);
  // The range is fixed when chosen (or refreshed), so every panel reads the same window of time.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const range = useMemo(() => rangeOf(minutes, new Date(), step === "" ? undefined : step), [minutes, step, round]);
  const monitor = deployment?.monitor;
  const [metrics, reloadMetrics] = useLoad(
    () => (monitor ? monitor.requestMetrics(range) : Promise.reject(new Error("unknown deployment kind"))),
    [monitor, range],
  );
  const [logged, reloadLogged] = useLoad(
    async () => (monitor ? loggedFeatures(await monitor.newestLogged()) : Promise.reject(new Error("unknown kind"))),
    [monitor, round],
  );

  if (!deployment || !monitor) return <Alert severity="error">This address names no kind of deployment Warden knows.</Alert>;
  const predictors = metrics.state === "ready" ? metrics.value.predictors.map((p) => p.predictor) : [];
  const tooMany = step !== "" && (minutes * 60) / step > 1100;

  return (
    <>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2, flexWrap: "wrap" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Monitor {deployment.name}
        </Typography>
        <TextField select size="small" label="Time range" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {RANGES.map((r) => (
            <MenuItem key={r.minutes} value={r.minutes}>
              {r.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Step"
          value={step}
          onChange={(e) => setStep(e.target.value === "" ? "" : Number(e.target.value))}
          sx={{ minWidth: 120 }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value="">Automatic</MenuItem>
          {STEPS.filter((s) => s < minutes * 60).map((s) => (
            <MenuItem key={s} value={s}>
              {s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : `${s / 3600} h`}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="outlined" startIcon={<RefreshIcon />} onClick={() => setRound((n) => n + 1)}>
          Refresh
        </Button>
      </Box>
      {tooMany && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          A {step} s step gives more than 1100 windows over this range: the step is chosen automatically instead.
        </Alert>
      )}
      <RequestMetricsPanel loaded={metrics} retry={reloadMetrics} />
      {logged.state === "loading" && <CircularProgress aria-label="Loading the logged features" />}
      {logged.state === "error" && (
        <LoadError what="The features of the logged predictions" message={logged.message} retry={reloadLogged} />
      )}
      {logged.state === "ready" && (
        <>
          <DistributionsSection
            monitor={monitor}
            features={logged.value}
            range={() => range}
            predictors={predictors}
          />
          <DetectorsPanel monitor={monitor} range={range} firstFeature={logged.value.request[0] ?? null} />
        </>
      )}
    </>
  );
}
