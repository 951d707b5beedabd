// The explainer's fields, used by the Add / Edit dialog and the Create wizard's Explainer step.
import { FormControl, FormControlLabel, FormLabel, MenuItem, Radio, RadioGroup, Stack, TextField } from "@mui/material";
import { EXPLAINER_TYPES, type ExplainerType } from "../../api/explainers";
import { defaultsText, type ExplainerForm, type Source } from "./form";

const TYPE_HELP: Record<ExplainerType, string> = {
  AnchorTabular: "Rules on tabular features that fix the prediction (fitted on reference rows).",
  AnchorText: "The words that fix a text classifier's prediction (needs no data).",
  AnchorImage: "The image regions that fix the prediction.",
  KernelShap: "Each feature's contribution to the prediction (fitted on reference rows).",
};

/** `catalogField`: show the catalog model URI (the wizard hides it: there the deployment's own model names the
 * columns, the server reads it from the spec). */
export function ExplainerFields({
  form,
  onChange,
  catalogField = true,
}: {
  form: ExplainerForm;
  onChange: (form: ExplainerForm) => void;
  catalogField?: boolean;
}) {
  const set = (over: Partial<ExplainerForm>) => onChange({ ...form, ...over });
  return (
    <Stack spacing={2} sx={{ pt: 1 }}>
      <TextField
        select
        label="Explainer type"
        value={form.type}
        onChange={(e) => set({ type: e.target.value as ExplainerType })}
        helperText={TYPE_HELP[form.type]}
      >
        {EXPLAINER_TYPES.map((t) => (
          <MenuItem key={t} value={t}>
            {t}
          </MenuItem>
        ))}
      </TextField>
      <FormControl>
        <FormLabel id="explainer-source-label">The explainer comes from</FormLabel>
        <RadioGroup
          row
          aria-labelledby="explainer-source-label"
          value={form.source}
          onChange={(e) => set({ source: e.target.value as Source })}
        >
          <FormControlLabel value="reference" control={<Radio />} label="Fit on reference data" />
          <FormControlLabel value="model" control={<Radio />} label="A saved alibi explainer" />
        </RadioGroup>
      </FormControl>
      <TextField
        label={form.source === "model" ? "Explainer URI" : "Reference data URI"}
        value={form.uri}
        onChange={(e) => set({ uri: e.target.value })}
        placeholder={form.source === "model" ? "s3://bucket/income/explainer" : "s3://bucket/income/reference.npy"}
        helperText={
          form.source === "model"
            ? "A folder written by alibi's explainer.save."
            : form.type === "AnchorText"
              ? "Optional for AnchorText."
              : "Rows as the model is sent them: .npy or a headerless .csv."
        }
      />
      {form.type === "AnchorImage" && (
        <TextField
          label="Image shape"
          value={form.imageShape}
          onChange={(e) => set({ imageShape: e.target.value })}
          placeholder="8, 8, 1"
          helperText="The shape to reshape a row to (needed when fitting on data)."
        />
      )}
      {catalogField && (
        <TextField
          label="Catalog model URI (optional)"
          value={form.catalogModelUri}
          onChange={(e) => set({ catalogModelUri: e.target.value })}
          helperText="The catalog model whose prediction schema names the features in explanations; the deployment's model by default."
        />
      )}
      <TextField
        label="Config (JSON, optional)"
        value={form.config}
        onChange={(e) => set({ config: e.target.value })}
        multiline
        minRows={3}
        placeholder='{"threshold": "0.95"}'
        slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
        helperText={`alibi explain parameters; left out, alibi's defaults apply: ${defaultsText(form.type)}.`}
      />
    </Stack>
  );
}
