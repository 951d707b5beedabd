import { Alert, Box, Button, Paper, TextField, Typography } from "@mui/material";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router";
import { describeError } from "../api/client";
import { signIn } from "../auth/session";
import { useSession } from "../state/session";

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

/** Sign-in with the built-in identity provider (password grant). */
export function SignIn() {
  const { session, expired, signedIn } = useSession();
  const location = useLocation();
  const next = new URLSearchParams(location.search).get("next");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={next && next.startsWith("/ui/") ? next : "/"} replace />;

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
          Sign in to Warden
        </Typography>
        {expired && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {expired}
          </Alert>
        )}
        <form onSubmit={submit} aria-label="Sign in">
          <TextField label="User name" name="username" autoComplete="username" autoFocus {...field(user, setUser)} />
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
      </Paper>
    </Box>
  );
}
