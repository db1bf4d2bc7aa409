/**
 * Component tests answer the page's requests from a table: `"GET /v1/sessions"`
 * → a status and a body (the shapes are the generated API types, so a test
 * cannot hand a page something the server would never send). The browser
 * tests (tests/e2e) run the same pages against a real server.
 */
import { vi } from "vitest";

export interface Reply {
  status?: number;
  body?: unknown;
  /** Wait this long first (a loading state), or forever with `Infinity`. */
  delayMs?: number;
}

export type Route = Reply | ((request: Request) => Reply | Promise<Reply>);

export interface FakeServer {
  requests: Request[];
  /** The requests to `METHOD /path` (the path without query). */
  calls: (route: string) => Request[];
}

/** Replace `fetch` with answers from `routes` (keys `"GET /path"`; unknown routes are 404s). */
export function fakeServer(routes: Record<string, Route>): FakeServer {
  const requests: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request);
    const url = new URL(request.url);
    const route = routes[`${request.method} ${url.pathname}`];
    if (route === undefined) {
      return json(404, { code: 40410000, message: `no route ${request.method} ${url.pathname} in this test` });
    }
    const reply = typeof route === "function" ? await route(request) : route;
    if (reply.delayMs !== undefined) {
      if (reply.delayMs === Infinity) {
        return new Promise<Response>(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    }
    return json(reply.status ?? 200, reply.body ?? null);
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    requests,
    calls: (route: string) =>
      requests.filter((request) => `${request.method} ${new URL(request.url).pathname}` === route),
  };
}

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}
