/** The shapes the sweep pages read (`/v1/sweeps`), from the generated API types. */
import type { Schemas } from "../../api/client";

export type Sweep = Schemas["SweepPublic"];
export type SweepStatus = Sweep["status"];
export type SweepResult = Schemas["SweepResultPublic"];
export type SweepList = Schemas["SweepsPublic"];
export type SweepResults = Schemas["SweepResultsPublic"];
export type Heatmap = Schemas["HeatmapPublic"];
export type SweepCreate = Schemas["SweepCreate"];
export type ParamSpace = Schemas["SpaceValues"] | Schemas["SpaceRange"];
export type Objective = SweepCreate["objective"];
