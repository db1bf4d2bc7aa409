/**
 * A request to a route of the generated `paths` through the one
 * authenticated client, with its query and path values as plain records
 * (empty ones left out). The answer's type is the caller's, one of the
 * generated schemas.
 */
import { api, call } from "./client";
import type { paths } from "./schema";

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface Init {
  path?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

interface Loose {
  GET: (path: string, init: unknown) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  POST: Loose["GET"];
  PUT: Loose["GET"];
  DELETE: Loose["GET"];
}

export function request<T>(method: Method, path: keyof paths, init: Init = {}): Promise<T> {
  const loose = api as unknown as Loose;
  const query = Object.fromEntries(Object.entries(init.query ?? {}).filter(([, value]) => value !== undefined && value !== ""));
  return call(
    loose[method](path, {
      params: { path: init.path ?? {}, query },
      ...(init.body === undefined ? {} : { body: init.body }),
    }) as Promise<{ data?: T; error?: unknown; response: Response }>,
  );
}
