import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

import { ApiError, type ApiKey, api, call, setApiKey } from "../api/client";
import { loadKey, saveKey } from "./storage";

interface Auth {
  key: ApiKey | null;
  /** Checks the key against the server; throws the server's error if it is refused. */
  signIn: (key: ApiKey) => Promise<void>;
  signOut: () => void;
}

const AuthContext = createContext<Auth | null>(null);

/** Ask the server whether ``key`` may use the dashboard (an owner or admin key). */
export async function verifyKey(key: ApiKey): Promise<void> {
  setApiKey(key);
  try {
    await call(api.GET("/api/system/status"));
  } catch (error) {
    setApiKey(null);
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(401, error.code, `That key was not accepted: ${error.message}`);
    }
    if (error instanceof ApiError && error.status === 403) {
      throw new ApiError(
        403,
        error.code,
        `This key may not use the dashboard: ${error.message}. Sign in with the admin key or an owner key.`,
      );
    }
    throw error;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [key, setKey] = useState<ApiKey | null>(() => {
    const stored = loadKey();
    setApiKey(stored);
    return stored;
  });

  const signIn = useCallback(async (candidate: ApiKey) => {
    await verifyKey(candidate);
    saveKey(candidate);
    setKey(candidate);
  }, []);

  const signOut = useCallback(() => {
    setApiKey(null);
    saveKey(null);
    setKey(null);
  }, []);

  const value = useMemo(() => ({ key, signIn, signOut }), [key, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) {
    throw new Error("useAuth outside <AuthProvider>");
  }
  return auth;
}
