import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import { Alert, Box, Button, CircularProgress, Paper, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { describeError } from "../../api/client";
import { parseJson } from "../monitor/format";
import { useDeploymentApi } from "../monitor/useDeploymentApi";
import { PayloadEditor, useSamplePayload } from "./PayloadEditor";

/** "Make a prediction": a JSON payload (sample from the deployment, or a file) -> the model's answer; or as curl. */
export function Predict() {
  const deployment = useDeploymentApi();
  const sample = useSamplePayload(deployment);
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  const [curl, setCurl] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  useEffect(() => {
    if (sample !== null) setText((current) => current ?? sample);
  }, [sample]);

  if (!deployment) return <Alert severity="error">This address names no kind of deployment Warden knows.</Alert>;
  const monitor = deployment.monitor;
  const payload = text ?? "";
  const parsed = parseJson(payload);

  async function run(what: "predict" | "curl") {
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(null);
    try {
      if (what === "predict") {
        setAnswer(JSON.stringify(await monitor.predict(parsed.value), null, 2));
      } else {
        const command = await monitor.predictCurl(parsed.value);
        setCurl(command);
        try {
          await navigator.clipboard.writeText(command);
          setCopied("The curl command is copied to the clipboard.");
        } catch {
          setCopied("The browser did not allow copying: select the command below and copy it.");
        }
      }
    } catch (err) {
      setError(`${what === "predict" ? "The prediction" : "The curl command"} failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Typography variant="h5" component="h1" gutterBottom>
        Make a prediction
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        The payload goes to {deployment.name}'s data plane, in the deployment's protocol; the sample is its newest
        logged request when there is one.
      </Typography>
      {text === null ? (
        <CircularProgress aria-label="Loading a sample payload" />
      ) : (
        <PayloadEditor label="Prediction payload (JSON)" value={payload} onChange={setText} />
      )}
      <Box sx={{ display: "flex", gap: 2, my: 2, alignItems: "center" }}>
        <Button variant="contained" disabled={busy || !parsed.ok} onClick={() => void run("predict")}>
          Predict
        </Button>
        <Button variant="outlined" disabled={busy || !parsed.ok} startIcon={<ContentCopyIcon />} onClick={() => void run("curl")}>
          Copy as curl
        </Button>
        {busy && <CircularProgress size={24} aria-label="Waiting for the answer" />}
      </Box>
      {error && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {error}
        </Alert>
      )}
      {curl && (
        <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
          <Typography variant="h6" component="h2">
            curl
          </Typography>
          {copied && (
            <Typography variant="body2" role="status">
              {copied}
            </Typography>
          )}
          <Box component="pre" tabIndex={0} aria-label="curl command" sx={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 13 }}>
            {curl}
          </Box>
        </Paper>
      )}
      {answer && (
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="h6" component="h2">
            Response
          </Typography>
          <Box component="pre" tabIndex={0} aria-label="Prediction response" sx={{ overflow: "auto", maxHeight: "50vh", fontSize: 13 }}>
            {answer}
          </Box>
        </Paper>
      )}
    </>
  );
}
