/** The risk layer's shapes, from the generated API types (docs/risk.md describes them). */
import type { Schemas } from "../../api/client";

/** Every rule of a session, by group, as the server sends them (decimals as strings). */
export type RiskSettings = Schemas["RiskSettings-Output"];
/** A partial document: a group's keys replace that group's; `null` turns a rule off. */
export type RiskSettingsPatch = Schemas["RiskSettings-Input"];
export type RiskView = Schemas["RiskView"];
export type BreakerView = Schemas["BreakerPublic"];
export type UsageView = Schemas["UsagePublic"];
export type DenialView = Schemas["DenialPublic"];
export type EmergencyRequest = Schemas["EmergencyRequest"];
export type EmergencyAction = EmergencyRequest["action"];
export type EmergencyResult = Schemas["EmergencyResult"];
export type SystemEmergencyResult = Schemas["EmergencyAllResult"];
export type RiskOverview = Schemas["RiskOverview"];
export type RiskOverviewRow = Schemas["RiskOverviewRow"];
export type AuditEntry = Schemas["AuditEntryPublic"];
export type AuditPage = Schemas["AuditPagePublic"];
