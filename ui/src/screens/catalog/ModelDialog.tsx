import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
} from "@mui/material";
import { useState } from "react";
import { describeError } from "../../api/client";
import { ARTIFACT_TYPES, CatalogApi, modelBody, predictionSchemaErrors, type ModelForm } from "../../api/catalog";

const SCHEMA_EXAMPLE = `{
  "requests": [{ "name": "sepal length", "type": "REAL", "dataType": "FLOAT" }],
  "responses": [{ "name": "species", "type": "PROBA", "schema": [{ "name": "setosa" }, { "name": "versicolor" }] }]
}`;

/** Register a model (POST) or edit one (PUT, URI and project fixed: they find the entry). */
export function ModelDialog({
  api,
  initial,
  editing,
  onClose,
  onSaved,
}: {
  api: CatalogApi;
  initial: ModelForm;
  editing: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form, setForm] = useState<ModelForm>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (key: keyof ModelForm) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const schemaProblems = predictionSchemaErrors(form.predictionSchema);

  async function save() {
    const result = modelBody(form);
    if ("errors" in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setSaving(true);
    setFailure(null);
    try {
      await (editing ? api.update(result.body) : api.register(result.body));
      onSaved();
    } catch (error) {
      setFailure(`The model could not be ${editing ? "saved" : "registered"}: ${describeError(error)}`);
    } finally {
      setSaving(false);
    }
  }

  const field = (key: keyof ModelForm, label: string, extra: object = {}) => (
    <TextField
      label={label}
      value={form[key]}
      onChange={set(key)}
      error={Boolean(errors[key])}
      helperText={errors[key]}
      size="small"
      fullWidth
      {...extra}
    />
  );

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth aria-labelledby="model-dialog-title">
      <DialogTitle id="model-dialog-title">{editing ? "Edit model metadata" : "Register a model"}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          {field("uri", "Model URI", { required: true, disabled: editing, placeholder: "file:///models/iris" })}
          <Stack direction="row" spacing={2}>
            {field("name", "Name")}
            {field("version", "Version")}
            {field("project", "Project", { disabled: editing, placeholder: "default" })}
          </Stack>
          <Stack direction="row" spacing={2}>
            {field("artifactType", "Artifact type", {
              select: true,
              children: ARTIFACT_TYPES.map((t) => (
                <MenuItem key={t} value={t}>
                  {t}
                </MenuItem>
              )),
            })}
            {field("taskType", "Task type", { placeholder: "classification" })}
          </Stack>
          <Stack direction="row" spacing={2}>
            {field("tags", "Tags (key=value, one a line)", { multiline: true, minRows: 2 })}
            {field("metrics", "Metrics (key=number, one a line)", { multiline: true, minRows: 2 })}
          </Stack>
          <TextField
            label="Prediction schema (JSON)"
            value={form.predictionSchema}
            onChange={set("predictionSchema")}
            multiline
            minRows={5}
            fullWidth
            placeholder={SCHEMA_EXAMPLE}
            error={schemaProblems.length > 0}
            helperText={
              schemaProblems.length > 0
                ? schemaProblems.join("; ")
                : "Optional: requests and responses, each a list of features {name, type, dataType, nCategories, categoryMap, schema, shape}"
            }
            slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
          />
          {failure && <Alert severity="error">{failure}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={() => void save()} disabled={saving}>
          {editing ? "Save" : "Register"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
