/**
 * A form drawn from a JSON Schema, as pydantic writes one for a model: each
 * property becomes a field (integer, number, boolean, enum, string or a list
 * of strings), with its title, description, default and bounds. Values are
 * kept as the user types them (numbers as text) and checked against the
 * schema's own bounds, no more: the server is the judge of anything else.
 */

export type FieldKind = "integer" | "number" | "boolean" | "enum" | "string" | "strings" | "unsupported";

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  label: string;
  description: string | null;
  required: boolean;
  /** `null` is a value it takes (pydantic's `anyOf: [..., {type: null}]`). */
  nullable: boolean;
  /** The schema's default (`undefined`: none). */
  defaultValue: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  options?: (string | number)[];
}

/** What a field holds while it is edited: text for numbers and strings, a flag, a list. */
export type FieldValue = string | boolean | string[];
export type FormValues = Record<string, FieldValue>;
export type FormErrors = Record<string, string>;

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `#/$defs/Name` (or `#/definitions/Name`) of `root`, followed until it is not a reference. */
function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 20 && typeof current.$ref === "string"; depth++) {
    const parts = current.$ref.replace(/^#\//, "").split("/");
    let target: unknown = root;
    for (const part of parts) {
      target = isObject(target) ? target[part] : undefined;
    }
    if (!isObject(target)) {
      return {};
    }
    // Keywords beside a $ref (title, description, default) win over the target's.
    const siblings = Object.fromEntries(Object.entries(current).filter(([key]) => key !== "$ref"));
    current = { ...target, ...siblings };
  }
  return current;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function kindOf(schema: Schema, root: Schema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return "enum";
  }
  if (schema.const !== undefined) {
    return "enum";
  }
  switch (schema.type) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
      return "string";
    case "array": {
      const items = isObject(schema.items) ? resolve(schema.items, root) : {};
      return items.type === "string" && !Array.isArray(items.enum) ? "strings" : "unsupported";
    }
    default:
      return "unsupported";
  }
}

function titleOf(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One field of the form from one property of the schema. */
export function fieldOf(name: string, property: Schema, root: Schema, required: boolean): FieldSpec {
  const outer = resolve(property, root);
  let inner = outer;
  let nullable = outer.type === "null";
  const variants = Array.isArray(outer.anyOf) ? outer.anyOf : Array.isArray(outer.oneOf) ? outer.oneOf : null;
  if (variants !== null) {
    const resolved = variants.filter(isObject).map((variant) => resolve(variant, root));
    nullable = resolved.some((variant) => variant.type === "null");
    const others = resolved.filter((variant) => variant.type !== "null");
    // Optional fields are `anyOf: [X, null]`; a union of several kinds has no one input.
    inner = others.length === 1 && others[0] !== undefined ? { ...others[0] } : { type: "union" };
  } else if (Array.isArray(outer.type)) {
    const types = outer.type.filter((type) => type !== "null");
    nullable = outer.type.includes("null");
    inner = { ...outer, type: types.length === 1 ? types[0] : "union" };
  }
  const kind = kindOf(inner, root);
  const spec: FieldSpec = {
    name,
    kind,
    label: typeof outer.title === "string" ? outer.title : titleOf(name),
    description: typeof outer.description === "string" ? outer.description : null,
    required,
    nullable,
    defaultValue: "default" in outer ? outer.default : inner.default,
  };
  // Bounds may sit on the variant (pydantic puts them there for optional fields) or beside anyOf.
  const bounds = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"] as const;
  for (const key of bounds) {
    const value = num(inner[key]) ?? num(outer[key]);
    if (value !== undefined) {
      spec[key] = value;
    }
  }
  const pattern = inner.pattern ?? outer.pattern;
  if (typeof pattern === "string") {
    spec.pattern = pattern;
  }
  if (kind === "enum") {
    const values: unknown[] = Array.isArray(inner.enum) ? inner.enum : [inner.const];
    spec.options = values.filter((value): value is string | number => typeof value === "string" || typeof value === "number");
  }
  return spec;
}

/** The fields of an object schema, in its properties' order. */
export function fieldsOf(schema: unknown): FieldSpec[] {
  if (!isObject(schema)) {
    return [];
  }
  const root = resolve(schema, schema);
  const properties = isObject(root.properties) ? root.properties : {};
  const required = new Set(Array.isArray(root.required) ? root.required.filter((n) => typeof n === "string") : []);
  return Object.entries(properties)
    .filter((entry): entry is [string, Schema] => isObject(entry[1]))
    .map(([name, property]) => fieldOf(name, property, schema, required.has(name)));
}

/** What a field shows before the user touches it: its default, or empty. */
export function initialValue(field: FieldSpec): FieldValue {
  const value = field.defaultValue;
  switch (field.kind) {
    case "boolean":
      return value === true;
    case "strings":
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
    default:
      return typeof value === "number" || typeof value === "string" ? String(value) : "";
  }
}

export function initialValues(fields: FieldSpec[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.name, initialValue(field)]));
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Why `value` does not fit `field`'s schema, or `null` when it does. */
export function validateField(field: FieldSpec, value: FieldValue | undefined): string | null {
  if (field.kind === "boolean" || field.kind === "unsupported") {
    return null;
  }
  if (field.kind === "strings") {
    const items = Array.isArray(value) ? value : [];
    return field.required && items.length === 0 ? "Required" : null;
  }
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") {
    if (field.required && field.defaultValue === undefined && !field.nullable) {
      return "Required";
    }
    return null;
  }
  if (field.kind === "integer" || field.kind === "number") {
    if (!(field.kind === "integer" ? INTEGER : NUMBER).test(text)) {
      return field.kind === "integer" ? "Enter a whole number" : "Enter a number";
    }
    const n = Number(text);
    if (field.minimum !== undefined && n < field.minimum) {
      return `Must be at least ${String(field.minimum)}`;
    }
    if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum) {
      return `Must be greater than ${String(field.exclusiveMinimum)}`;
    }
    if (field.maximum !== undefined && n > field.maximum) {
      return `Must be at most ${String(field.maximum)}`;
    }
    if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum) {
      return `Must be less than ${String(field.exclusiveMaximum)}`;
    }
    return null;
  }
  if (field.kind === "enum") {
    return field.options?.some((option) => String(option) === text) === true ? null : "Pick one of the options";
  }
  if (field.minLength !== undefined && text.length < field.minLength) {
    return `At least ${String(field.minLength)} characters`;
  }
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return `At most ${String(field.maxLength)} characters`;
  }
  if (field.pattern !== undefined) {
    try {
      if (!new RegExp(field.pattern, "u").test(text)) {
        return "Not in the expected form";
      }
    } catch {
      return null; // a pattern this browser cannot read: the server checks it
    }
  }
  return null;
}

export function validateAll(fields: FieldSpec[], values: FormValues): FormErrors {
  const errors: FormErrors = {};
  for (const field of fields) {
    const problem = validateField(field, values[field.name]);
    if (problem !== null) {
      errors[field.name] = problem;
    }
  }
  return errors;
}

/** The JSON value a field's text stands for (`undefined`: leave it out). */
export function jsonValue(field: FieldSpec, value: FieldValue | undefined): unknown {
  if (field.kind === "boolean") {
    return value === true;
  }
  if (field.kind === "strings") {
    return Array.isArray(value) ? value : [];
  }
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") {
    return field.nullable ? null : undefined;
  }
  if (field.kind === "integer" || field.kind === "number") {
    return Number(text);
  }
  if (field.kind === "enum") {
    return field.options?.find((option) => String(option) === text) ?? text;
  }
  return text;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The parameters to send: only those that differ from their defaults (the
 * server fills in the rest, as the schema says), typed as the schema says.
 */
export function toParams(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === "unsupported") {
      continue;
    }
    const value = jsonValue(field, values[field.name]);
    if (value === undefined || (field.defaultValue !== undefined && same(value, field.defaultValue))) {
      continue;
    }
    params[field.name] = value;
  }
  return params;
}

/** A field's bounds in words ("> 0, ≤ 1"), for a helper text; empty if it has none. */
export function boundsText(field: FieldSpec): string {
  const parts: string[] = [];
  if (field.minimum !== undefined) parts.push(`≥ ${String(field.minimum)}`);
  if (field.exclusiveMinimum !== undefined) parts.push(`> ${String(field.exclusiveMinimum)}`);
  if (field.maximum !== undefined) parts.push(`≤ ${String(field.maximum)}`);
  if (field.exclusiveMaximum !== undefined) parts.push(`< ${String(field.exclusiveMaximum)}`);
  return parts.join(", ");
}
