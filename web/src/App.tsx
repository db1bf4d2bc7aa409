import { Alert } from "@mui/material";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useState } from "react";
import { Navigate, Outlet, RouterProvider, createBrowserRouter, useLocation } from "react-router";

import { ApiError } from "./api/client";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { PageErrorBoundary } from "./components/PageErrorBoundary";
import { PageLoading } from "./components/PageLoading";
import { AppShell } from "./layout/AppShell";
import { LiveProvider } from "./live/LiveContext";
import SignInPage from "./pages/signin/SignInPage";
import { ThemeModeProvider } from "./theme/ThemeContext";

// Every page is its own chunk: the charts and the flow graph load only where they are shown.
const SystemPage = lazy(() => import("./pages/system/SystemPage"));
const SessionsPage = lazy(() => import("./pages/sessions/SessionsPage"));
const SessionPage = lazy(() => import("./pages/session/SessionPage"));
const AgentFlowPage = lazy(() => import("./pages/agents/AgentFlowPage"));
const NewSessionPage = lazy(() => import("./pages/wizard/NewSessionPage"));
const ActivityPage = lazy(() => import("./pages/activity/ActivityPage"));
const RiskPage = lazy(() => import("./pages/risk/RiskPage"));
const CredentialsPage = lazy(() => import("./pages/credentials/CredentialsPage"));
const HistoryPage = lazy(() => import("./pages/history/HistoryPage"));
const ComparePage = lazy(() => import("./pages/compare/ComparePage"));
const TemplatesPage = lazy(() => import("./pages/templates/TemplatesPage"));
const SweepsPage = lazy(() => import("./pages/sweeps/SweepsPage"));
const SweepPage = lazy(() => import("./pages/sweeps/SweepPage"));

function page(name: string, element: ReactNode) {
  return (
    <PageErrorBoundary page={name}>
      <Suspense fallback={<PageLoading />}>{element}</Suspense>
    </PageErrorBoundary>
  );
}

/** The signed-in part of the app: a key, a live connection, the shell. */
function SignedIn() {
  const { key } = useAuth();
  const location = useLocation();
  if (key === null) {
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  }
  return (
    <LiveProvider apiKey={key}>
      <Outlet />
    </LiveProvider>
  );
}

export const routes = [
  { path: "/signin", element: <SignInPage /> },
  {
    element: <SignedIn />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: page("System", <SystemPage />) },
          { path: "system", element: <Navigate to="/" replace /> },
          { path: "sessions", element: page("Sessions", <SessionsPage />) },
          { path: "sessions/new", element: page("New session", <NewSessionPage />) },
          { path: "sessions/:sessionId", element: page("Session", <SessionPage />) },
          { path: "sessions/:sessionId/agents", element: page("Agent flow", <AgentFlowPage />) },
          { path: "history", element: page("History", <HistoryPage />) },
          { path: "compare", element: page("Compare", <ComparePage />) },
          { path: "templates", element: page("Templates", <TemplatesPage />) },
          { path: "sweeps", element: page("Sweeps", <SweepsPage />) },
          { path: "sweeps/:sweepId", element: page("Sweep", <SweepPage />) },
          { path: "activity", element: page("Activity", <ActivityPage />) },
          { path: "risk", element: page("Risk", <RiskPage />) },
          { path: "credentials", element: page("Broker credentials", <CredentialsPage />) },
          { path: "*", element: page("Not found", <NotFound />) },
        ],
      },
    ],
  },
];

function NotFound() {
  return (
    <Alert severity="info" role="alert">
      There is no page at this address. Use the navigation on the left.
    </Alert>
  );
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; an unreachable server may come back.
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 3,
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 10_000),
      },
    },
  });
}

export function App() {
  const [client] = useState(makeQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <ThemeModeProvider>
      <QueryClientProvider client={client}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </ThemeModeProvider>
  );
}
