import { Alert, Box, Button, Paper, TextField, Typography } from "@mui/material";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router";
import { describeError } from "../api/client";
import { beginSignIn } from "../auth/redirect";
import { signIn } from "../auth/session";
import { useSession } from "../state/session";
import { useUiConfig } from "../theme/context";

/** The props both required, full-width fields of the form share. */
function field(value: string, set: (value: string) => void) {
  return {
    value,
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(e.target.value),
    fullWidth: true,
    required: true,
    margin: "normal" as const,
  };
}

/** Sign-in: a button to the OIDC provider's page (redirect + PKCE) and/or the built-in provider's password form,
 * as the gateway's UI configuration says. */
export function SignIn() {
  const { session, expired, signedIn } = useSession();
  const { config, error: configError } = useUiConfig();
  const modes = config.auth.modes;
  const location = useLocation();
  const next = new URLSearchParams(location.search).get("next");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={next && next.startsWith("/ui/") ? next : "/"} replace />;

  async function redirect() {
    setBusy(true);
    setError(null);
    try {
      const target = next && next.startsWith("/ui/") ? next : "/";
      window.location.assign(
        await beginSignIn(config.auth, window.location.origin, target, window.sessionStorage),
      );
    } catch (err) {
      setError(`Could not start the sign-in with ${config.auth.providerName}: ${describeError(err)}`);
      setBusy(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await signIn(user, password));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="main" sx={{ display: "flex", justifyContent: "center", mt: 10 }}>
      <Paper sx={{ p: 4, width: 380 }} elevation={3}>
        <Typography component="h1" variant="h5" gutterBottom>
          Sign in to {config.theme.productName}
        </Typography>
        {configError && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {configError}
          </Alert>
        )}
        {expired && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {expired}
          </Alert>
        )}
        {modes.includes("redirect") && (
          <Button variant="contained" fullWidth sx={{ mt: 1 }} disabled={busy} onClick={() => void redirect()}>
            Sign in with {config.auth.providerName}
          </Button>
        )}
        {modes.length === 0 && <Alert severity="info">Authentication is off on this Warden: no sign-in is needed.</Alert>}
        {error && !modes.includes("password") && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {error}
          </Alert>
        )}
        {modes.includes("password") && (
        <form onSubmit={submit} aria-label="Sign in">
          <TextField
            label="User name"
            name="username"
            autoComplete="username"
            autoFocus={!modes.includes("redirect")}
            {...field(user, setUser)}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            {...field(password, setPassword)}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 1 }} role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        )}
      </Paper>
    </Box>
  );
}
