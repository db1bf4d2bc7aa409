/** The shapes the Compare page reads (`GET /v1/compare`), from the generated API types. */
import type { Schemas } from "../../api/client";

export type Point = Schemas["PointPublic"];
export type PeriodReturn = Schemas["PeriodValuePublic"];
export type ComparedSession = Schemas["ComparedSessionPublic"];
export type Comparison = Schemas["ComparisonPublic"];
