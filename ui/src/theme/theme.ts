// The MUI theme: Warden's defaults, with the configured primary / secondary colours (seed 7.11) on top.
import { createTheme, type Theme } from "@mui/material";
import type { ThemeConfig } from "./uiConfig";

export const DEFAULT_PRIMARY = "#1a4f8b";

export function themeOf(config: ThemeConfig): Theme {
  return createTheme({
    palette: {
      primary: { main: config.primary ?? DEFAULT_PRIMARY },
      ...(config.secondary ? { secondary: { main: config.secondary } } : {}),
      // Status colours dark enough for white text (WCAG AA, 4.5:1): MUI's default warning and success are not.
      success: { main: "#1b5e20", contrastText: "#fff" },
      warning: { main: "#a34700", contrastText: "#fff" },
      error: { main: "#c62828", contrastText: "#fff" },
    },
  });
}
