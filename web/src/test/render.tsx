import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { RouterProvider, createMemoryRouter } from "react-router";

import { setApiKey } from "../api/client";
import { AuthProvider } from "../auth/AuthContext";
import { saveKey } from "../auth/storage";
import type { EventStore } from "../live/activityStore";
import { StaticLiveProvider } from "../live/LiveContext";
import { ThemeModeProvider } from "../theme/ThemeContext";

export const TEST_KEY = { keyId: "PKTEST", secret: "s3cret" };

/**
 * Render `element` as the page at `path` (its route pattern `route`), signed
 * in, with a fresh query cache that does not retry (an error shows at once);
 * live events are what a test adds to `events`.
 */
export function renderPage(
  element: ReactElement,
  {
    path = "/",
    route = "/",
    signedIn = true,
    events,
  }: { path?: string; route?: string; signedIn?: boolean; events?: EventStore } = {},
): RenderResult & { client: QueryClient } {
  saveKey(signedIn ? TEST_KEY : null);
  setApiKey(signedIn ? TEST_KEY : null);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: route, element },
      { path: "*", element: <div>elsewhere</div> },
    ],
    { initialEntries: [path] },
  );
  const result = render(
    <ThemeModeProvider>
      <QueryClientProvider client={client}>
        <AuthProvider>
          <StaticLiveProvider events={events}>
            <RouterProvider router={router} />
          </StaticLiveProvider>
        </AuthProvider>
      </QueryClientProvider>
    </ThemeModeProvider>,
  );
  return { ...result, client };
}
