import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  IconButton,
  MenuItem,
  Stack,
  Step,
  StepButton,
  Stepper,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import DeleteIcon from "@mui/icons-material/Delete";
import { useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { describeError } from "../../api/client";
import { KIND_LABEL, type Kind } from "../../api/deployments";
import { useSession } from "../../state/session";
import { ExplainerFields } from "../explainer/ExplainerFields";
import { emptyExplainerForm } from "../explainer/form";
import {
  buildSpec,
  CreateApi,
  emptyWizard,
  SELDON_SERVERS,
  SERVER_OF_ARTIFACT,
  stepErrors,
  stepOfError,
  STEPS,
  type Parameter,
  type WizardForm,
} from "./spec";

/** The wizard's answers from the catalog's "Deploy" link (`?modelUri=&name=&artifactType=&project=`). */
export function prefill(namespace: string, search: URLSearchParams): WizardForm {
  const form = emptyWizard(namespace);
  const uri = search.get("modelUri");
  if (uri) form.modelUri = uri;
  const name = (search.get("name") ?? "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  if (name) form.name = name.slice(0, 63);
  const server = SERVER_OF_ARTIFACT[search.get("artifactType") ?? ""];
  if (server) form.implementation = server;
  const project = search.get("project");
  if (project) form.project = project;
  return form;
}

/** `/ui/namespaces/:ns/new`: create a deployment step by step, checked by the server before launch. */
export function CreateWizard() {
  const { namespace = "" } = useParams();
  const [search] = useSearchParams();
  const { client } = useSession();
  const api = useMemo(() => new CreateApi(client), [client]);
  const navigate = useNavigate();
  const [form, setForm] = useState<WizardForm>(() => prefill(namespace, search));
  const [step, setStep] = useState(0);
  const [serverError, setServerError] = useState<{ step: number; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const local = stepErrors(form);
  const last = STEPS.length - 1;

  const set =
    <K extends keyof WizardForm>(key: K) =>
    (e: { target: { value: string } }) =>
      setForm({ ...form, [key]: e.target.value as WizardForm[K] });
  const setParam = (i: number, patch: Partial<Parameter>) =>
    setForm({ ...form, parameters: form.parameters.map((p, j) => (j === i ? { ...p, ...patch } : p)) });

  async function check(launch: boolean) {
    const firstBad = [...local.keys()].sort((a, b) => a - b)[0];
    if (firstBad !== undefined) {
      setStep(firstBad);
      return;
    }
    setBusy(true);
    setServerError(null);
    try {
      await api.validate(form);
      if (launch) {
        await api.launch(form);
        void navigate(`/ui/namespaces/${encodeURIComponent(form.namespace)}/${form.kind}/${encodeURIComponent(form.name)}`);
        return;
      }
      setStep(last);
    } catch (error) {
      const message = describeError(error);
      const at = stepOfError(message);
      setServerError({ step: at, message });
      setStep(at);
    } finally {
      setBusy(false);
    }
  }

  const text = (key: keyof WizardForm, label: string, extra: object = {}) => (
    <TextField label={label} value={form[key] as string} onChange={set(key)} size="small" fullWidth {...extra} />
  );

  const pages: React.ReactNode[] = [
    <Stack spacing={2} key="details">
      {text("name", "Deployment name", { required: true, placeholder: "iris" })}
      {text("namespace", "Namespace", { disabled: true })}
      {text("kind", "Kind", {
        select: true,
        children: (Object.keys(KIND_LABEL) as Kind[]).map((k) => (
          <MenuItem key={k} value={k}>
            {KIND_LABEL[k]}
          </MenuItem>
        )),
      })}
      {text("protocol", "Protocol", {
        select: true,
        children: ["seldon", "v2", "tensorflow"].map((p) => (
          <MenuItem key={p} value={p}>
            {p}
          </MenuItem>
        )),
      })}
    </Stack>,
    <Stack spacing={2} key="predictor">
      {text("implementation", "Model server (runtime)", {
        select: true,
        helperText: "The model servers Warden runs",
        children: SELDON_SERVERS.map((s) => (
          <MenuItem key={s} value={s}>
            {s}
          </MenuItem>
        )),
      })}
      {text("modelUri", "Model URI", { required: true, placeholder: "file:///models/iris" })}
      {text("project", "Catalog project", { placeholder: "default" })}
      {text("storageSecret", "Storage secret (optional)")}
    </Stack>,
    <Stack spacing={2} key="parameters">
      <Typography variant="body2">Parameters passed to the model server (optional).</Typography>
      {form.parameters.map((p, i) => (
        <Stack direction="row" spacing={1} key={i}>
          <TextField size="small" label="Name" value={p.name} onChange={(e) => setParam(i, { name: e.target.value })} />
          <TextField
            size="small"
            select
            label="Type"
            value={p.type}
            onChange={(e) => setParam(i, { type: e.target.value as Parameter["type"] })}
            sx={{ minWidth: 120 }}
          >
            {["STRING", "INT", "FLOAT", "DOUBLE", "BOOL"].map((t) => (
              <MenuItem key={t} value={t}>
                {t}
              </MenuItem>
            ))}
          </TextField>
          <TextField size="small" label="Value" value={p.value} onChange={(e) => setParam(i, { value: e.target.value })} />
          <IconButton
            aria-label={`Remove parameter ${p.name || i + 1}`}
            onClick={() => setForm({ ...form, parameters: form.parameters.filter((_, j) => j !== i) })}
          >
            <DeleteIcon />
          </IconButton>
        </Stack>
      ))}
      <Box>
        <Button
          onClick={() => setForm({ ...form, parameters: [...form.parameters, { name: "", type: "STRING", value: "" }] })}
        >
          Add parameter
        </Button>
      </Box>
    </Stack>,
    <Stack spacing={2} key="resources">
      <Stack direction="row" spacing={2}>
        {text("cpuRequest", "CPU request", { placeholder: "500m" })}
        {text("memoryRequest", "Memory request", { placeholder: "512Mi" })}
      </Stack>
      <Stack direction="row" spacing={2}>
        {text("cpuLimit", "CPU limit", { placeholder: "1" })}
        {text("memoryLimit", "Memory limit", { placeholder: "1Gi" })}
      </Stack>
    </Stack>,
    <Stack direction="row" spacing={2} key="autoscaling">
      {text("minReplicas", "Minimum replicas", { type: "number" })}
      {text("maxReplicas", "Maximum replicas", { type: "number" })}
    </Stack>,
    <Stack spacing={2} key="transformer">
      <Typography variant="body2">An optional input transformer in front of the model (a container image).</Typography>
      {text("transformerImage", "Transformer image (optional)")}
    </Stack>,
    <Stack spacing={2} key="explainer">
      <Typography variant="body2">
        An optional model explainer, set in the deployment&apos;s spec: its Requests tab can then explain predictions.
      </Typography>
      <FormControlLabel
        control={
          <Switch
            checked={form.explainer !== null}
            onChange={(e) => setForm({ ...form, explainer: e.target.checked ? emptyExplainerForm() : null })}
          />
        }
        label="Add an explainer"
      />
      {form.explainer && (
        <ExplainerFields
          form={form.explainer}
          onChange={(explainer) => setForm({ ...form, explainer })}
          catalogField={false}
        />
      )}
    </Stack>,
    <Stack spacing={2} key="comment">
      {text("comment", "Version comment", { multiline: true, minRows: 2, placeholder: "Why this deployment" })}
    </Stack>,
    <Stack spacing={2} key="review">
      <Typography variant="body2">The deployment Warden will create:</Typography>
      <Box
        component="pre"
        aria-label="Generated specification"
        tabIndex={0}
        sx={{ bgcolor: "grey.100", p: 2, overflow: "auto", maxHeight: 320, fontSize: 13 }}
      >
        {JSON.stringify(buildSpec(form), null, 2)}
      </Box>
    </Stack>,
  ];

  const problems = [...(local.get(step) ?? [])];
  if (serverError && serverError.step === step) problems.push(`Warden refused it: ${serverError.message}`);

  return (
    <>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Create a deployment in {namespace}
      </Typography>
      <Stepper nonLinear activeStep={step} sx={{ mb: 3, flexWrap: "wrap" }} aria-label="Create steps">
        {STEPS.map((label, i) => (
          <Step key={label} completed={false}>
            <StepButton
              onClick={() => setStep(i)}
              optional={
                local.has(i) || serverError?.step === i ? (
                  <Typography variant="caption" color="error">
                    needs attention
                  </Typography>
                ) : undefined
              }
            >
              {label}
            </StepButton>
          </Step>
        ))}
      </Stepper>
      <Box component="section" aria-label={STEPS[step]} sx={{ maxWidth: 720 }}>
        <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
          {STEPS[step]}
        </Typography>
        {pages[step]}
        {problems.length > 0 && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {problems.map((p) => (
              <div key={p}>{p}</div>
            ))}
          </Alert>
        )}
        <Stack direction="row" spacing={1} sx={{ mt: 3 }}>
          <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
            Back
          </Button>
          {step < last - 1 && (
            <Button variant="outlined" onClick={() => setStep(step + 1)}>
              Next
            </Button>
          )}
          {step === last - 1 && (
            <Button variant="outlined" disabled={busy} onClick={() => void check(false)}>
              Check and review
            </Button>
          )}
          {step === last && (
            <Button variant="contained" disabled={busy} onClick={() => void check(true)}>
              Launch
            </Button>
          )}
        </Stack>
      </Box>
    </>
  );
}

export default CreateWizard;
