/**
 * The signed-in key lives in this tab's sessionStorage only: it is gone when
 * the tab closes, other tabs do not see it, and it never enters a URL.
 */
import { type ApiKey, parseKey } from "../api/client";

const SLOT = "paperbroker.key";

export function loadKey(): ApiKey | null {
  const text = sessionStorage.getItem(SLOT);
  return text === null ? null : parseKey(text);
}

export function saveKey(key: ApiKey | null): void {
  if (key === null) {
    sessionStorage.removeItem(SLOT);
  } else {
    sessionStorage.setItem(SLOT, `${key.keyId}:${key.secret}`);
  }
}
