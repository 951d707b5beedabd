// The Requests tab of a deployment: logged instances, one server page at a time, with an explanation per row.
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { DataGrid, type GridColDef, type GridPaginationModel } from "@mui/x-data-grid";
import { useEffect, useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { describeError } from "../../api/client";
import type { Kind } from "../../api/deployments";
import { RequestsApi } from "../../api/requests";
import { useSession } from "../../state/session";
import { ExplanationRender } from "./ExplanationView";
import { parseExplanation, type ExplanationView } from "./explanation";
import { featureColumns, rowOf, show, type RequestRow } from "./rows";
import { computedAt, storedFor } from "./stored";

const POLL_MS = 1000;

/** datetime-local value (local time, no zone) -> ISO instant, or null when empty or unreadable. */
function instant(local: string): string | null {
  if (!local) return null;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

export function Requests() {
  const { client } = useSession();
  const { namespace = "", kind = "", name = "" } = useParams();
  const api = useMemo(() => new RequestsApi(client, kind as Kind, namespace, name), [client, kind, namespace, name]);
  const [paging, setPaging] = useState<GridPaginationModel>({ page: 0, pageSize: 25 });
  const [outliersOnly, setOutliersOnly] = useState(false);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  // The server pages by token: the token of page n is remembered when page n-1 arrives.
  const tokens = useRef<(string | null)[]>([null]);
  const [rows, setRows] = useState<RequestRow[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const [explaining, setExplaining] = useState<RequestRow | null>(null);

  const filterKey = `${outliersOnly}|${start}|${end}|${paging.pageSize}`;
  useEffect(() => {
    tokens.current = [null];
    setPaging((p) => (p.page === 0 ? p : { ...p, page: 0 }));
  }, [filterKey]);

  useEffect(() => {
    const abort = new AbortController();
    const token = tokens.current[paging.page];
    if (paging.page > 0 && token === undefined) return;
    setLoading(true);
    setError(null);
    api
      .page(
        { pageSize: paging.pageSize, pageToken: token, outliersOnly, start: instant(start), end: instant(end) },
        abort.signal,
      )
      .then(
        (page) => {
          tokens.current[paging.page + 1] = page.nextPageToken ?? null;
          setRows((page.requests ?? []).map(rowOf));
          setTotal(page.total ?? 0);
          setLoading(false);
        },
        (e: unknown) => {
          if (abort.signal.aborted) return;
          setError(describeError(e));
          setRows([]);
          setLoading(false);
        },
      );
    return () => abort.abort();
  }, [api, paging, outliersOnly, start, end, round]);

  const columns: GridColDef<RequestRow>[] = useMemo(() => {
    const features = featureColumns(rows).map(
      (feature): GridColDef<RequestRow> => ({
        field: `feature:${feature}`,
        headerName: feature,
        sortable: false,
        minWidth: 90,
        valueGetter: (_v, row) => show(row.features[feature]),
      }),
    );
    // "Explain" first: with many features the last columns are virtualized out of view at 1280 px.
    return [
      {
        field: "explain",
        headerName: "",
        sortable: false,
        width: 100,
        renderCell: ({ row }) => (
          <Button size="small" onClick={() => setExplaining(row)} aria-label={`Explain request ${row.requestId}`}>
            Explain
          </Button>
        ),
      },
      {
        field: "time",
        headerName: "Time",
        sortable: false,
        width: 180,
        valueFormatter: (v: string) => (v ? new Date(v).toLocaleString() : ""),
      },
      { field: "endpoint", headerName: "Predictor", sortable: false, width: 100 },
      ...features,
      { field: "prediction", headerName: "Prediction", sortable: false, minWidth: 120 },
      {
        field: "outlierScore",
        headerName: "Outlier score",
        sortable: false,
        width: 120,
        renderCell: ({ row }) =>
          row.outlierScore === null ? (
            ""
          ) : (
            <Typography
              component="span"
              variant="body2"
              sx={row.isOutlier ? { color: "error.main", fontWeight: 700 } : undefined}
            >
              {show(row.outlierScore)}
              {row.isOutlier ? " (outlier)" : ""}
            </Typography>
          ),
      },
    ];
  }, [rows]);

  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", flexWrap: "wrap" }}>
        <FormControlLabel
          control={<Switch checked={outliersOnly} onChange={(e) => setOutliersOnly(e.target.checked)} />}
          label="Outliers only"
        />
        <TextField
          label="From"
          type="datetime-local"
          size="small"
          value={start}
          onChange={(e) => setStart(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          label="To"
          type="datetime-local"
          size="small"
          value={end}
          onChange={(e) => setEnd(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
      </Stack>
      {error ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" onClick={() => setRound((n) => n + 1)}>
              Retry
            </Button>
          }
        >
          The logged requests could not be loaded: {error}
        </Alert>
      ) : null}
      <Box sx={{ height: 560 }}>
        <DataGrid
          aria-label="Logged requests"
          rows={rows}
          columns={columns}
          rowCount={total}
          loading={loading}
          paginationMode="server"
          paginationModel={paging}
          onPaginationModelChange={setPaging}
          pageSizeOptions={[10, 25, 50, 100]}
          disableRowSelectionOnClick
          disableColumnFilter
          localeText={{
            noRowsLabel: error
              ? "No requests shown: loading failed."
              : outliersOnly || start || end
                ? "No logged request matches these filters."
                : "No request has been logged for this deployment yet.",
          }}
        />
      </Box>
      {explaining ? <ExplainDialog api={api} row={explaining} onClose={() => setExplaining(null)} /> : null}
    </Stack>
  );
}

type Progress =
  | { state: "looking" }
  | { state: "running" }
  | { state: "failed"; message: string }
  | { state: "done"; view: ExplanationView; storedAt: string | null };

/** Shows the explanation the API already holds for the row's instance, if any (with "Recompute"), else computes
 * one: `POST explain`, then polls the stored explanation while it runs. */
function ExplainDialog({ api, row, onClose }: { api: RequestsApi; row: RequestRow; onClose: () => void }) {
  const [progress, setProgress] = useState<Progress>({ state: "looking" });
  // 0: look for a stored explanation first; each Recompute adds one and computes a new one.
  const [computeRound, setComputeRound] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (payload: unknown, storedAt: string | null) => {
      try {
        setProgress({ state: "done", view: parseExplanation(payload), storedAt });
      } catch (e) {
        setProgress({ state: "failed", message: `the explanation could not be read: ${describeError(e)}` });
      }
    };
    const poll = (id: string) => {
      setProgress({ state: "running" });
      api.explanation(id).then(
        (stored) => {
          if (!live) return;
          if (stored.status === "running") timer = setTimeout(() => poll(id), POLL_MS);
          else if (stored.status === "succeeded") finish(stored.explanation, null);
          else
            setProgress({
              state: "failed",
              message: String((stored.error as { message?: unknown } | undefined)?.message ?? "the explainer failed"),
            });
        },
        (e: unknown) => live && setProgress({ state: "failed", message: describeError(e) }),
      );
    };
    const compute = () => {
      setProgress({ state: "running" });
      api.explain(row.requestId, row.item).then(
        (answer) => {
          if (!live) return;
          if (answer.done) finish(answer.explanation, null);
          else poll(answer.id);
        },
        (e: unknown) => live && setProgress({ state: "failed", message: describeError(e) }),
      );
    };
    if (computeRound > 0) compute();
    else {
      setProgress({ state: "looking" });
      api.explanationsOf(row.requestId).then(
        (list) => {
          if (!live) return;
          const found = storedFor(list, row.item);
          if (!found) compute();
          else if (found.status === "running" && found.id) poll(found.id);
          else finish(found.explanation, computedAt(found) || "earlier");
        },
        // Reading the stored ones failed (e.g. an older server): compute as before rather than stop here.
        () => live && compute(),
      );
    }
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [api, row, computeRound]);

  const busy = progress.state === "looking" || progress.state === "running";
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth aria-labelledby="explanation-title">
      <DialogTitle id="explanation-title">Explanation of request {row.requestId}</DialogTitle>
      <DialogContent>
        {progress.state === "looking" ? (
          <Box>
            <Typography>Looking for a stored explanation…</Typography>
            <LinearProgress aria-label="Looking for a stored explanation" />
          </Box>
        ) : progress.state === "running" ? (
          <Box>
            <Typography>Explaining… (this can take a minute)</Typography>
            <LinearProgress aria-label="Explaining" />
          </Box>
        ) : progress.state === "failed" ? (
          <Alert severity="error">The explanation failed: {progress.message}</Alert>
        ) : (
          <Stack spacing={1}>
            <Typography variant="body2" color="text.secondary" data-testid="explanation-source">
              {progress.storedAt
                ? `Stored explanation, computed ${progress.storedAt}. Recompute to explain this request again.`
                : "Computed just now."}
            </Typography>
            <ExplanationRender view={progress.view} />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => setComputeRound((n) => n + 1)} disabled={busy}>
          Recompute
        </Button>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

export default Requests;
