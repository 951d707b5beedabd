import { CssBaseline, ThemeProvider } from "@mui/material";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { SessionProvider } from "./state/session";
import { UiConfigContext } from "./theme/context";
import { themeOf } from "./theme/theme";
import { loadUiConfig } from "./theme/uiConfig";

// The theme and the sign-in modes come from the gateway (GET {API}/ui/config) before the first render; if that
// fails the defaults apply and the sign-in screen says why.
void loadUiConfig().then((loaded) => {
  document.title = loaded.config.theme.productName;
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <UiConfigContext.Provider value={loaded}>
        <ThemeProvider theme={themeOf(loaded.config.theme)}>
          <CssBaseline />
          <SessionProvider>
            <App />
          </SessionProvider>
        </ThemeProvider>
      </UiConfigContext.Provider>
    </StrictMode>,
  );
});
