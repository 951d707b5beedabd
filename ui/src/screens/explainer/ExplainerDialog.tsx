// The Add / Edit explainer dialog: type, where the explainer comes from, alibi's config as JSON (checks: form.ts).
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle } from "@mui/material";
import { useState } from "react";
import { describeError } from "../../api/client";
import type { ExplainersApi, StoredExplainer } from "../../api/explainers";
import { ExplainerFields } from "./ExplainerFields";
import { emptyExplainerForm, explainerBody, formOf, type ExplainerForm } from "./form";

/** Adds an explainer (`current` null) or edits the current one; `onSaved` gets what the API stored. */
export function ExplainerDialog({
  api,
  current,
  catalogModelUri = "",
  onClose,
  onSaved,
}: {
  api: ExplainersApi;
  current: StoredExplainer | null;
  /** For a new explainer: the deployment's model, whose catalog schema names the features. */
  catalogModelUri?: string;
  onClose: () => void;
  onSaved: (stored: StoredExplainer) => void;
}) {
  const [form, setForm] = useState<ExplainerForm>(() => (current ? formOf(current) : emptyExplainerForm(catalogModelUri)));
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const adding = current === null;

  const save = () => {
    const checked = explainerBody(form, current);
    setFailure(null);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems([]);
    setSaving(true);
    api.put(checked.body).then(
      (stored) => {
        setSaving(false);
        onSaved(stored);
      },
      (e: unknown) => {
        setSaving(false);
        setFailure(describeError(e));
      },
    );
  };

  return (
    <Dialog open onClose={saving ? undefined : onClose} maxWidth="sm" fullWidth aria-labelledby="explainer-dialog-title">
      <DialogTitle id="explainer-dialog-title">{adding ? "Add explainer" : "Edit explainer"}</DialogTitle>
      <DialogContent>
        <ExplainerFields form={form} onChange={setForm} />
        {problems.length > 0 && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            The explainer is not ready to save:
            <ul style={{ margin: 0 }}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        )}
        {failure && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            The explainer could not be saved: {failure}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={saving}>
          Cancel
        </Button>
        <Button variant="contained" onClick={save} disabled={saving}>
          {saving ? "Saving…" : adding ? "Add explainer" : "Save explainer"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
