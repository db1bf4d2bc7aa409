/**
 * The signed-in owner's broker credentials: listed, added (the secret goes to
 * the server once and is never shown again) and deleted. The list is cached
 * under `["credentials"]`; the wizard and the session page's broker panel
 * read it too (a session's credential by its id).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import type { Credential } from "../live/types";

export interface NewCredential {
  label: string;
  key_id: string;
  secret_key: string;
}

export function useCredentials(enabled = true) {
  return useQuery({
    queryKey: keys.credentials,
    enabled,
    queryFn: (): Promise<Credential[]> => call(api.GET("/v1/broker-credentials")),
  });
}

export function useAddCredential() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCredential): Promise<Credential> =>
      call(api.POST("/v1/broker-credentials", { body: { ...body, broker: "alpaca" } })),
    onSettled: () => client.invalidateQueries({ queryKey: keys.credentials }),
  });
}

export function useDeleteCredential() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (credentialId: string): Promise<void> => {
      await call(api.DELETE("/v1/broker-credentials/{credentialId}", { params: { path: { credentialId } } }));
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.credentials }),
  });
}
