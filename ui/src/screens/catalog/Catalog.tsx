import {
  Alert,
  Box,
  Button,
  Collapse,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { DataGrid, type GridColDef, type GridPaginationModel } from "@mui/x-data-grid";
import { useEffect, useMemo, useState } from "react";
import { useNavigate, useOutletContext } from "react-router";
import { describeError } from "../../api/client";
import { CatalogApi, EMPTY_FORM, formOf, type CatalogModel, type ModelForm } from "../../api/catalog";
import type { Namespace } from "../../api/deployments";
import { useSession } from "../../state/session";
import type { Loaded } from "../../state/useLoad";
import { ModelDialog } from "./ModelDialog";
import { PageTokens } from "./paging";

const PAGE_SIZES = [25, 50, 100];

function QueryHelp() {
  return (
    <Box component="section" aria-label="Query syntax" sx={{ fontSize: 14 }}>
      <Typography variant="body2" component="div">
        A query compares fields with <code>=</code> <code>!=</code> <code>&lt;</code> <code>&lt;=</code>{" "}
        <code>&gt;</code> <code>&gt;=</code>, joined by <code>AND</code> / <code>OR</code> (AND binds tighter) and
        grouped with parentheses. Fields: <code>uri</code>, <code>name</code>, <code>version</code>,{" "}
        <code>project</code>, <code>artifact_type</code>, <code>task_type</code>, <code>tags[key]</code>,{" "}
        <code>metrics[key]</code>. Quote values with spaces. Example:{" "}
        <code>artifact_type=SKLEARN AND metrics[accuracy]&gt;=0.9 OR tags[author]="Jon Doe"</code>
      </Typography>
    </Box>
  );
}

/** The fields that name an entry, as text (the generated type leaves them loose). */
function identity(model: CatalogModel): { uri: string; name: string; version: string; project: string } {
  const m = model as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return { uri: text(m.URI), name: text(m.name), version: text(m.version), project: text(m.project) };
}

/** `/ui/catalog`: the model catalog, paged by the server. */
export function Catalog() {
  const { client } = useSession();
  const api = useMemo(() => new CatalogApi(client), [client]);
  const navigate = useNavigate();
  const namespaces = useOutletContext<Loaded<Namespace[]>>();
  const [draft, setDraft] = useState("");
  const [query, setQuery] = useState("");
  const [help, setHelp] = useState(false);
  const [paging, setPaging] = useState<GridPaginationModel>({ page: 0, pageSize: PAGE_SIZES[0]! });
  const [tokens, setTokens] = useState(() => new PageTokens());
  const [rows, setRows] = useState<CatalogModel[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const [dialog, setDialog] = useState<{ form: ModelForm; editing: boolean } | null>(null);
  const [removing, setRemoving] = useState<CatalogModel | null>(null);
  const [notice, setNotice] = useState<{ severity: "success" | "error"; text: string } | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    let pageToken: string | null;
    try {
      pageToken = tokens.tokenOf(paging.page);
    } catch (e) {
      setError(describeError(e));
      return;
    }
    setLoading(true);
    api
      .list({ query, pageSize: paging.pageSize, pageToken }, abort.signal)
      .then(
        (page) => {
          setRows(page.models ?? []);
          setTokens((t) => t.withNext(paging.page, page.nextPageToken || null));
          setError(null);
        },
        (e: unknown) => {
          if (abort.signal.aborted) return;
          setRows([]);
          setError(describeError(e));
        },
      )
      .finally(() => !abort.signal.aborted && setLoading(false));
    return () => abort.abort();
    // tokens change after every load; only the page, its size and the query ask for another
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, query, paging, round]);

  function search(text: string) {
    setTokens(new PageTokens());
    setPaging((p) => ({ ...p, page: 0 }));
    setQuery(text);
    setRound((n) => n + 1);
  }

  function deploy(model: CatalogModel) {
    const names = namespaces.state === "ready" ? namespaces.value.map((n) => n.name) : [];
    const ns = names.includes("seldon") ? "seldon" : (names[0] ?? "seldon");
    const m = model as Record<string, unknown>;
    const params = new URLSearchParams({ modelUri: String(m.URI ?? "") });
    for (const key of ["name", "artifactType", "project"]) if (typeof m[key] === "string") params.set(key, m[key]);
    void navigate(`/ui/namespaces/${encodeURIComponent(ns)}/new?${params.toString()}`);
  }

  async function remove(model: CatalogModel) {
    setRemoving(null);
    const { uri, name, version, project } = identity(model);
    const label = `${name || uri}${version ? ` ${version}` : ""}`;
    try {
      await api.remove(uri, project || null);
      setNotice({ severity: "success", text: `${label} was removed from the catalog.` });
      setRound((n) => n + 1);
    } catch (e) {
      setNotice({ severity: "error", text: `${label} could not be removed: ${describeError(e)}` });
    }
  }

  const columns: GridColDef<CatalogModel>[] = [
    { field: "name", headerName: "Name", flex: 1, sortable: false },
    { field: "version", headerName: "Version", width: 100, sortable: false },
    { field: "URI", headerName: "URI", flex: 2, sortable: false },
    { field: "artifactType", headerName: "Artifact", width: 120, sortable: false },
    { field: "taskType", headerName: "Task", width: 130, sortable: false },
    { field: "project", headerName: "Project", width: 110, sortable: false },
    {
      field: "tags",
      headerName: "Tags",
      flex: 1,
      sortable: false,
      valueGetter: (value: Record<string, string> | undefined) =>
        Object.entries(value ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
    },
    {
      field: "actions",
      headerName: "Actions",
      width: 240,
      sortable: false,
      renderCell: ({ row }) => (
        <Stack direction="row" spacing={1} sx={{ alignItems: "center", height: "100%" }}>
          <Button size="small" onClick={() => setDialog({ form: formOf(row), editing: true })}>
            Edit
          </Button>
          <Button size="small" onClick={() => deploy(row)}>
            Deploy
          </Button>
          <Button size="small" color="error" onClick={() => setRemoving(row)}>
            Remove
          </Button>
        </Stack>
      ),
    },
  ];

  const more = loading || tokens.hasNext(paging.page);

  return (
    <>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Model catalog
        </Typography>
        <Button variant="contained" onClick={() => setDialog({ form: EMPTY_FORM, editing: false })}>
          Register a model
        </Button>
      </Box>
      <Box
        component="form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(draft);
        }}
        sx={{ display: "flex", gap: 1, mb: 1 }}
      >
        <TextField
          size="small"
          fullWidth
          label="Query"
          placeholder='artifact_type=SKLEARN AND tags[author]="Jon Doe"'
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          error={Boolean(error) && query !== ""}
          slotProps={{ htmlInput: { "aria-describedby": "catalog-query-error", spellCheck: false } }}
        />
        <Button type="submit" variant="outlined">
          Search
        </Button>
        <Button onClick={() => setHelp((h) => !h)} aria-expanded={help}>
          Syntax
        </Button>
      </Box>
      <Collapse in={help}>
        <Alert severity="info" sx={{ mb: 1 }}>
          <QueryHelp />
        </Alert>
      </Collapse>
      <Box aria-live="polite">
        {notice && (
          <Alert severity={notice.severity} onClose={() => setNotice(null)} sx={{ mb: 1 }}>
            {notice.text}
          </Alert>
        )}
      </Box>
      <Box id="catalog-query-error" aria-live="polite" sx={{ mb: 1 }}>
        {error && <Alert severity="error">The catalog could not be listed: {error}</Alert>}
      </Box>
      {!loading && !error && rows.length === 0 && (
        <Alert severity="info" sx={{ mb: 1 }}>
          {query ? `No model matches “${query}”.` : "The catalog is empty. Register a model to start."}
        </Alert>
      )}
      <Box sx={{ height: 560 }}>
        <DataGrid
          aria-label="Catalog models"
          rows={rows}
          columns={columns}
          getRowId={(row) => `${String(row.project ?? "")}\u0000${row.URI}`}
          loading={loading}
          paginationMode="server"
          // Keyset paging has no total. While another page exists, say one row more than this page so the grid
          // enables "next" (its unknown-count mode, rowCount -1, sent the grid back to page 1 after loading page 2).
          rowCount={more ? (paging.page + 1) * paging.pageSize + 1 : paging.page * paging.pageSize + rows.length}
          slotProps={{
            pagination: {
              labelDisplayedRows: ({ from, to }: { from: number; to: number }) => (more ? `${from}–${to} of more than ${to}` : `${from}–${to} of ${to}`),
            },
          }}
          paginationModel={paging}
          onPaginationModelChange={(model) => {
            if (model.pageSize !== paging.pageSize) {
              setTokens(new PageTokens());
              setPaging({ page: 0, pageSize: model.pageSize });
            } else setPaging(model);
          }}
          pageSizeOptions={PAGE_SIZES}
          disableColumnFilter
          disableRowSelectionOnClick
        />
      </Box>
      <Dialog open={removing !== null} onClose={() => setRemoving(null)} aria-labelledby="remove-model-title">
        <DialogTitle id="remove-model-title">
          Remove {(removing && identity(removing).name) || "this model"} from the catalog?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            The catalog entry of {removing && identity(removing).uri} is removed; deployments that serve this model
            keep running.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRemoving(null)}>Cancel</Button>
          <Button variant="contained" color="error" onClick={() => removing && void remove(removing)}>
            Remove
          </Button>
        </DialogActions>
      </Dialog>
      {dialog && (
        <ModelDialog
          api={api}
          initial={dialog.form}
          editing={dialog.editing}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            setRound((n) => n + 1);
          }}
        />
      )}
    </>
  );
}

export default Catalog;
