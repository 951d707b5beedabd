import {
  Alert,
  Box,
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useMemo, useState } from "react";
import { describeError } from "../../api/client";
import { OpsApi, shortHash, type Commit, type CommitDiff } from "../../api/ops";
import { useSession } from "../../state/session";
import { useLoad } from "../../state/useLoad";
import { LoadError } from "../LoadError";
import { useDeploymentParams } from "../resources/useDeploymentParams";
import { SideBySideDiff } from "./SideBySideDiff";

type DiffState = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; value: CommitDiff };

/** The deployment's audit log from GitOps: every commit that changed it, one commit's diff, restore to a commit. */
export default function Audit() {
  const { kind, namespace, name, rawKind } = useDeploymentParams();
  const { client } = useSession();
  const ops = useMemo(() => new OpsApi(client), [client]);
  const [commits, reloadCommits] = useLoad(
    () => (kind ? ops.commits(kind, namespace, name) : Promise.reject(new Error(`unknown kind ${rawKind}`))),
    [ops, kind, namespace, name],
  );
  const [status, reloadStatus] = useLoad(() => ops.gitopsStatus(namespace), [ops, namespace]);
  const [shown, setShown] = useState<{ commit: Commit; diff: DiffState } | null>(null);
  const [restoring, setRestoring] = useState<Commit | null>(null);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const showDiff = (commit: Commit) => {
    if (!kind) return;
    setShown({ commit, diff: { state: "loading" } });
    ops.diff(kind, namespace, name, commit.hash).then(
      (value) => setShown((s) => (s?.commit.hash === commit.hash ? { commit, diff: { state: "ready", value } } : s)),
      (e: unknown) =>
        setShown((s) => (s?.commit.hash === commit.hash ? { commit, diff: { state: "error", message: describeError(e) } } : s)),
    );
  };

  const restore = async () => {
    if (!kind || !restoring) return;
    setBusy(true);
    setActionError(null);
    try {
      const answer = await ops.restore(kind, namespace, name, restoring.hash, message);
      setNotice(answer);
      setRestoring(null);
      setMessage("");
      reloadCommits();
      reloadStatus();
    } catch (e) {
      setActionError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box>
      <Typography variant="h5" component="h1" gutterBottom>
        Audit log
      </Typography>
      <Paper variant="outlined" sx={{ p: 2, mb: 2 }} aria-label="GitOps status" component="section">
        <Typography variant="h6" component="h2">
          GitOps status
        </Typography>
        {status.state === "loading" && <CircularProgress size={20} aria-label="Loading the GitOps status" />}
        {status.state === "error" && <LoadError what="The GitOps status" message={status.message} retry={reloadStatus} />}
        {status.state === "ready" &&
          (status.value.gitops ? (
            <Typography>
              Namespace {namespace} is recorded in git on branch <strong>{status.value.branch ?? "—"}</strong>; head{" "}
              <code>{shortHash(status.value.head)}</code>, last synced <code>{shortHash(status.value.lastSyncedCommit)}</code>
              {status.value.lastSyncTime ? ` at ${new Date(status.value.lastSyncTime).toLocaleString()}` : ""}
              {status.value.remote ? ` (remote ${status.value.remote})` : " (no remote)"}.
            </Typography>
          ) : (
            <Typography>Namespace {namespace} is not a GitOps namespace: changes are recorded locally only.</Typography>
          ))}
      </Paper>

      {notice && (
        <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {commits.state === "loading" && <CircularProgress aria-label="Loading the commits" />}
      {commits.state === "error" && <LoadError what="The audit log" message={commits.message} retry={reloadCommits} />}
      {commits.state === "ready" && commits.value.length === 0 && (
        <Alert severity="info">No commit has changed this deployment yet.</Alert>
      )}
      {commits.state === "ready" && commits.value.length > 0 && (
        <Paper variant="outlined" sx={{ mb: 2, overflowX: "auto" }}>
          <Table size="small" aria-label="Commits">
            <TableHead>
              <TableRow>
                <TableCell>Commit</TableCell>
                <TableCell>Author</TableCell>
                <TableCell>Time</TableCell>
                <TableCell>Message</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {commits.value.map((c, i) => (
                <TableRow key={c.hash} selected={shown?.commit.hash === c.hash}>
                  <TableCell>
                    <code>{shortHash(c.hash)}</code>
                  </TableCell>
                  <TableCell>{c.author}</TableCell>
                  <TableCell>{c.when ? new Date(c.when).toLocaleString() : "—"}</TableCell>
                  <TableCell sx={{ whiteSpace: "pre-wrap" }}>{c.message || "(no message)"}</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <Button size="small" onClick={() => showDiff(c)} aria-label={`Show the diff of ${shortHash(c.hash)}`}>
                      Diff
                    </Button>
                    {i > 0 && (
                      <Button
                        size="small"
                        color="warning"
                        onClick={() => {
                          setActionError(null);
                          setRestoring(c);
                        }}
                        aria-label={`Restore to ${shortHash(c.hash)}`}
                      >
                        Restore
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Paper>
      )}

      {shown && (
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label="Commit diff">
          <Typography variant="h6" component="h2" gutterBottom>
            Commit <code>{shortHash(shown.commit.hash)}</code>: {shown.commit.message || "(no message)"}
          </Typography>
          {shown.diff.state === "loading" && <CircularProgress size={20} aria-label="Loading the diff" />}
          {shown.diff.state === "error" && (
            <LoadError what="The diff" message={shown.diff.message} retry={() => showDiff(shown.commit)} />
          )}
          {shown.diff.state === "ready" && (
            <>
              <Typography sx={{ mb: 1 }}>
                {shown.diff.value.changeType} {shown.diff.value.file ?? ""}
                {shown.diff.value.previous ? ` (since ${shortHash(shown.diff.value.previous)})` : " (first commit)"}
              </Typography>
              <SideBySideDiff before={shown.diff.value.before} after={shown.diff.value.after} />
            </>
          )}
        </Paper>
      )}

      <Dialog open={restoring !== null} onClose={() => !busy && setRestoring(null)} aria-labelledby="restore-title">
        <DialogTitle id="restore-title">Restore to commit {shortHash(restoring?.hash ?? null)}?</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            The deployment goes back to its spec at this commit ({restoring?.message || "no message"}). Warden records
            the restore as a new commit; nothing in the history is lost.
          </DialogContentText>
          <TextField
            label="Comment (optional)"
            fullWidth
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            disabled={busy}
          />
          {actionError && (
            <Alert severity="error" sx={{ mt: 2 }}>
              The restore failed: {actionError}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRestoring(null)} disabled={busy}>
            Cancel
          </Button>
          <Button color="warning" variant="contained" onClick={() => void restore()} disabled={busy}>
            Restore
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
