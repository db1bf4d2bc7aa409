/**
 * Files the API serves (a report, an export): fetched with the signed-in
 * key's headers (a plain link would carry none) and saved from a blob.
 */
import { authHeaders, errorFrom } from "./client";

export interface Downloaded {
  blob: Blob;
  filename: string;
}

/** The file name of a `Content-Disposition` header, or `fallback`. */
export function filenameOf(disposition: string | null, fallback: string): string {
  if (disposition === null) {
    return fallback;
  }
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1] !== undefined) {
    return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() ?? fallback;
}

/** GET `path` (with `query`) as a file; an error answer throws the server's message. */
export async function fetchFile(path: string, query: Record<string, string>, fallback: string): Promise<Downloaded> {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    url.searchParams.set(name, value);
  }
  const response = await globalThis.fetch(new Request(url, { headers: authHeaders() }));
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the text is the message
    }
    throw errorFrom(response.status, body, response.statusText);
  }
  return { blob: await response.blob(), filename: filenameOf(response.headers.get("content-disposition"), fallback) };
}

/** Hand a blob to the browser as a download named `filename`. */
export function saveBlob({ blob, filename }: Downloaded): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(href);
  }, 10_000);
}
