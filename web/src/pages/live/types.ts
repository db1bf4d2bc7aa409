/** The shapes of live sessions, their reconciliations and checkpoints, from the generated API types. */
import type { Schemas } from "../../api/client";

export type BrokerSettings = Schemas["BrokerSettings"];
export type Credential = Schemas["BrokerCredentialPublic"];
export type LiveSession = Schemas["LiveSessionPublic"];
export type Reconciliation = Schemas["ReconciliationPublic"];
export type Difference = Schemas["Difference"];
export type Checkpoints = Schemas["CheckpointsPublic"];
export type Checkpoint = Schemas["CheckpointPublic"];
export type CheckpointCleanup = Schemas["CheckpointCleanupPublic"];
