import { CssBaseline, ThemeProvider, createTheme } from "@mui/material";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { SessionProvider } from "./state/session";

// Status colours dark enough for white text (WCAG AA, 4.5:1): MUI's default warning and success are not.
const theme = createTheme({
  palette: {
    primary: { main: "#1a4f8b" },
    success: { main: "#1b5e20", contrastText: "#fff" },
    warning: { main: "#a34700", contrastText: "#fff" },
    error: { main: "#c62828", contrastText: "#fff" },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <SessionProvider>
        <App />
      </SessionProvider>
    </ThemeProvider>
  </StrictMode>,
);
