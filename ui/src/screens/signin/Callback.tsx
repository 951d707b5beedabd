import { Alert, Box, Button, CircularProgress, Paper, Typography } from "@mui/material";
import { useEffect, useRef, useState } from "react";
import { Link as RouterLink, Navigate } from "react-router";
import { finishSignIn } from "../../auth/redirect";
import { useSession } from "../../state/session";

/** `/ui/callback`: where the identity provider sends the browser back; exchanges the code and signs in. */
export function Callback() {
  const { signedIn } = useSession();
  const [target, setTarget] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice; a code is single-use
    started.current = true;
    finishSignIn(window.location.search, window.sessionStorage)
      .then(({ session, next }) => {
        signedIn(session);
        setTarget(next.startsWith("/ui/") ? next : "/");
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [signedIn]);

  if (target) return <Navigate to={target} replace />;
  return (
    <Box component="main" sx={{ display: "flex", justifyContent: "center", mt: 10 }}>
      <Paper sx={{ p: 4, width: 420 }} elevation={3}>
        <Typography component="h1" variant="h5" gutterBottom>
          {error ? "Sign-in failed" : "Signing in…"}
        </Typography>
        {error ? (
          <>
            <Alert severity="error" role="alert">
              {error}
            </Alert>
            <Button component={RouterLink} to="/ui/signin" variant="contained" sx={{ mt: 2 }}>
              Back to sign-in
            </Button>
          </>
        ) : (
          <CircularProgress aria-label="Signing in" />
        )}
      </Paper>
    </Box>
  );
}
