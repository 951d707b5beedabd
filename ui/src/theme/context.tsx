// The loaded UI configuration for every screen (sign-in reads the modes, the app bar the product name and logo).
import { createContext, useContext } from "react";
import { DEFAULT_CONFIG, type LoadedConfig } from "./uiConfig";

export const UiConfigContext = createContext<LoadedConfig>({ config: DEFAULT_CONFIG, error: null });

export function useUiConfig(): LoadedConfig {
  return useContext(UiConfigContext);
}
