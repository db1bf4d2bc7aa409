/** The shapes of a session's analytics routes, from the generated API types. */
import type { Schemas } from "../../api/client";

export type TradeReview = Schemas["TradeReviewPublic"];
export type TradeReviewList = Schemas["TradeReviewsPublic"];
export type Interval = Schemas["IntervalPublic"];
export type Arm = Schemas["ArmPublic"];
export type ArmComparison = Schemas["ArmComparisonPublic"];
export type Arms = Schemas["ArmsPublic"];
export type AttributionRow = Schemas["AttributionRow"];
export type Attribution = Schemas["AttributionPublic"];
export type SessionSummaryWithRecord = Schemas["SessionSummaryDetail"];
