import AddCircleIcon from "@mui/icons-material/AddCircle";
import BookmarksIcon from "@mui/icons-material/Bookmarks";
import CompareArrowsIcon from "@mui/icons-material/CompareArrows";
import GridOnIcon from "@mui/icons-material/GridOn";
import HistoryIcon from "@mui/icons-material/History";
import DarkModeIcon from "@mui/icons-material/DarkMode";
import DashboardIcon from "@mui/icons-material/Dashboard";
import LightModeIcon from "@mui/icons-material/LightMode";
import ListAltIcon from "@mui/icons-material/ListAlt";
import LogoutIcon from "@mui/icons-material/Logout";
import NotificationsIcon from "@mui/icons-material/Notifications";
import ShieldIcon from "@mui/icons-material/Shield";
import VpnKeyIcon from "@mui/icons-material/VpnKey";
import {
  AppBar,
  Box,
  Drawer,
  IconButton,
  List,
  ListItem,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Toolbar,
  Tooltip,
  Typography,
} from "@mui/material";
import { Suspense, type ReactNode } from "react";
import { NavLink, Outlet, useLocation } from "react-router";

import { useAuth } from "../auth/AuthContext";
import { PageLoading } from "../components/PageLoading";
import { useThemeMode } from "../theme/ThemeContext";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { ViewedSessionMarker } from "./ViewedSessionMarker";

const WIDTH = 220;

const NAV: { to: string; label: string; icon: ReactNode; end?: boolean }[] = [
  { to: "/", label: "System", icon: <DashboardIcon />, end: true },
  { to: "/sessions", label: "Sessions", icon: <ListAltIcon />, end: true },
  { to: "/sessions/new", label: "New session", icon: <AddCircleIcon /> },
  { to: "/history", label: "History", icon: <HistoryIcon /> },
  { to: "/compare", label: "Compare", icon: <CompareArrowsIcon /> },
  { to: "/templates", label: "Templates", icon: <BookmarksIcon /> },
  { to: "/sweeps", label: "Sweeps", icon: <GridOnIcon /> },
  { to: "/risk", label: "Risk", icon: <ShieldIcon /> },
  { to: "/credentials", label: "Broker credentials", icon: <VpnKeyIcon /> },
  { to: "/activity", label: "Activity", icon: <NotificationsIcon /> },
];

export function AppShell() {
  const { key, signOut } = useAuth();
  const { mode, toggle } = useThemeMode();
  const location = useLocation();
  return (
    <Box sx={{ display: "flex", minHeight: "100vh" }}>
      <AppBar position="fixed" sx={{ zIndex: (theme) => theme.zIndex.drawer + 1 }} color="default" elevation={1}>
        <Toolbar sx={{ gap: 2 }}>
          <Typography variant="h6" component="span" sx={{ fontWeight: 700 }}>
            paperbroker
          </Typography>
          <ViewedSessionMarker />
          <Box sx={{ flexGrow: 1 }} />
          <ConnectionIndicator />
          <Typography variant="body2" color="text.secondary" title="the signed-in key">
            {key?.keyId}
          </Typography>
          <Tooltip title={mode === "dark" ? "Switch to light theme" : "Switch to dark theme"}>
            <IconButton onClick={toggle} aria-label={mode === "dark" ? "Switch to light theme" : "Switch to dark theme"}>
              {mode === "dark" ? <LightModeIcon /> : <DarkModeIcon />}
            </IconButton>
          </Tooltip>
          <Tooltip title="Sign out">
            <IconButton onClick={signOut} aria-label="Sign out">
              <LogoutIcon />
            </IconButton>
          </Tooltip>
        </Toolbar>
      </AppBar>
      <Drawer
        variant="permanent"
        sx={{ width: WIDTH, flexShrink: 0, "& .MuiDrawer-paper": { width: WIDTH, boxSizing: "border-box" } }}
      >
        <Toolbar />
        <nav aria-label="Main">
          <List>
            {NAV.map((item) => (
              <ListItem key={item.to} disablePadding>
                <ListItemButton
                  component={NavLink}
                  to={item.to}
                  end={item.end}
                  selected={item.end === true ? location.pathname === item.to : location.pathname.startsWith(item.to)}
                >
                  <ListItemIcon>{item.icon}</ListItemIcon>
                  <ListItemText primary={item.label} />
                </ListItemButton>
              </ListItem>
            ))}
          </List>
        </nav>
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, p: 3, minWidth: 0 }}>
        <Toolbar />
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </Box>
    </Box>
  );
}
