/** The shapes the Templates page reads (`/v1/templates`), from the generated API types. */
import type { Schemas } from "../../api/client";

export type Template = Schemas["TemplatePublic"];
export type TemplateList = Schemas["TemplatesPublic"];
export type TemplateCreate = Schemas["TemplateCreate"];
