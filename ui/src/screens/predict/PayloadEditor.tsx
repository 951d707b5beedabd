import UploadFileIcon from "@mui/icons-material/UploadFile";
import { Box, Button, TextField } from "@mui/material";
import { useRef, useState } from "react";
import { useSession } from "../../state/session";
import { useLoad } from "../../state/useLoad";
import { loggedPayload, parseJson, samplePayload } from "../monitor/format";
import type { DeploymentRef } from "../monitor/useDeploymentApi";

/** The sample payload of a deployment: its newest logged request, else a row in its protocol. */
export function useSamplePayload(deployment: DeploymentRef | null): string | null {
  const { api } = useSession();
  const [loaded] = useLoad(async () => {
    if (!deployment) return null;
    const logged = loggedPayload(await deployment.monitor.newestLogged().catch(() => null));
    if (logged) return JSON.stringify(logged, null, 2);
    const raw = (await api.deployment(deployment.kind, deployment.namespace, deployment.name)).raw;
    return JSON.stringify(samplePayload(raw), null, 2);
  }, [api, deployment]);
  // Without the deployment (it failed to load) the seldon protocol's sample is still a fair start.
  if (loaded.state === "loading") return null;
  return loaded.state === "ready" && loaded.value ? loaded.value : JSON.stringify(samplePayload({}), null, 2);
}

/** A JSON textarea that says what is wrong with the JSON as it is typed, and can load a file. */
export function PayloadEditor({
  label,
  value,
  onChange,
  rows = 10,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  rows?: number;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const parsed = parseJson(value);
  return (
    <Box>
      <TextField
        label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        multiline
        minRows={rows}
        fullWidth
        error={!parsed.ok || fileError !== null}
        helperText={fileError ?? (parsed.ok ? "Valid JSON" : parsed.error)}
        slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace", fontSize: 13 } } }}
      />
      <Box sx={{ mt: 1 }}>
        <input
          ref={fileInput}
          aria-label={`${label}: file`}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (!file) return;
            file.text().then(
              (text) => {
                setFileError(null);
                onChange(text);
              },
              (err: unknown) => setFileError(`${file.name} could not be read: ${String(err)}`),
            );
          }}
        />
        <Button variant="text" startIcon={<UploadFileIcon />} onClick={() => fileInput.current?.click()}>
          Load from a file
        </Button>
      </Box>
    </Box>
  );
}
