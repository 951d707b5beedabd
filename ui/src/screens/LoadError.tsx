import { Alert, Button } from "@mui/material";

/** What could not be loaded and why, in words, with a way to try again. */
export function LoadError({ what, message, retry }: { what: string; message: string; retry: () => void }) {
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" onClick={retry}>
          Retry
        </Button>
      }
    >
      {what} could not be loaded: {message}
    </Alert>
  );
}
