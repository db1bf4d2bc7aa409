/**
 * Dark and light, toggled from the top bar and remembered in localStorage.
 * The first visit follows the system's preference.
 */
import { CssBaseline, ThemeProvider, createTheme, useMediaQuery } from "@mui/material";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

export type Mode = "light" | "dark";

const SLOT = "paperbroker.theme";

interface ThemeMode {
  mode: Mode;
  toggle: () => void;
}

const ModeContext = createContext<ThemeMode>({ mode: "light", toggle: () => undefined });

export function storedMode(): Mode | null {
  const value = localStorage.getItem(SLOT);
  return value === "dark" || value === "light" ? value : null;
}

export function makeTheme(mode: Mode) {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === "dark" ? "#90caf9" : "#1565c0" },
      success: { main: mode === "dark" ? "#66bb6a" : "#1b5e20" },
      error: { main: mode === "dark" ? "#f48fb1" : "#b71c1c" },
      warning: { main: mode === "dark" ? "#ffb74d" : "#8a4b00" },
      // Dark enough on the light background for text (4.5:1), as the other colours.
      info: { main: mode === "dark" ? "#4fc3f7" : "#01579b" },
      background:
        mode === "dark" ? { default: "#0f1216", paper: "#161b22" } : { default: "#f5f7fa", paper: "#ffffff" },
    },
    shape: { borderRadius: 8 },
    typography: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
    components: {
      MuiTableCell: { styleOverrides: { root: { fontVariantNumeric: "tabular-nums" } } },
    },
  });
}

export function ThemeModeProvider({ children }: { children: ReactNode }) {
  const prefersDark = useMediaQuery("(prefers-color-scheme: dark)");
  const [chosen, setChosen] = useState<Mode | null>(storedMode);
  const mode: Mode = chosen ?? (prefersDark ? "dark" : "light");

  const toggle = useCallback(() => {
    const next: Mode = mode === "dark" ? "light" : "dark";
    localStorage.setItem(SLOT, next);
    setChosen(next);
  }, [mode]);

  const theme = useMemo(() => makeTheme(mode), [mode]);
  const value = useMemo(() => ({ mode, toggle }), [mode, toggle]);
  return (
    <ModeContext.Provider value={value}>
      <ThemeProvider theme={theme}>
        <CssBaseline enableColorScheme />
        {children}
      </ThemeProvider>
    </ModeContext.Provider>
  );
}

export function useThemeMode(): ThemeMode {
  return useContext(ModeContext);
}
