/** The feed's filter in the address (`/activity?severity=warning&session=<id>&type=OrderFilled`). */
import { type FeedFilter, SEVERITIES, type Severity } from "./feed";

export function filterFromParams(params: URLSearchParams): FeedFilter {
  const severity = params.get("severity");
  const session = params.get("session");
  return {
    severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : "info",
    session: session !== null && session !== "" ? session : null,
    types: params.getAll("type").filter((type) => type !== ""),
  };
}

export function paramsFromFilter(filter: FeedFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.severity !== "info") {
    params.set("severity", filter.severity);
  }
  if (filter.session !== null) {
    params.set("session", filter.session);
  }
  for (const type of filter.types) {
    params.append("type", type);
  }
  return params;
}
