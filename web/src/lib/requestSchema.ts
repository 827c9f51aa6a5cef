/**
 * Form fields of POST /api/optimize read from the server's OpenAPI schema: type, limits, default, enum
 * values and the help text (the same `help` the API docs show), so the form never repeats a default.
 */

type Json = Record<string, unknown>;

export interface FieldSpec {
  name: string;
  kind: "integer" | "number" | "boolean" | "enum" | "string" | "object";
  nullable: boolean;
  default: unknown;
  description: string;
  title: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  options: string[];
  /** the enum's own description (what the choices mean) */
  optionsHelp: string;
}

interface OpenApiLike {
  components?: { schemas?: Record<string, unknown> };
}

function resolve(doc: OpenApiLike, schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const name = ref.split("/").pop() ?? "";
    return (doc.components?.schemas?.[name] as Json) ?? {};
  }
  return schema;
}

/** Every property of a request model in the schema (default: OptimizationRequest). */
export function requestFields(doc: OpenApiLike, model = "OptimizationRequest"): Record<string, FieldSpec> {
  const request = (doc.components?.schemas?.[model] as Json | undefined) ?? {};
  const properties = (request.properties as Record<string, Json> | undefined) ?? {};
  const out: Record<string, FieldSpec> = {};
  for (const [name, property] of Object.entries(properties)) {
    const variants = Array.isArray(property.anyOf) ? (property.anyOf as Json[]) : [property];
    const nullable = variants.some((v) => v.type === "null");
    const main = resolve(doc, variants.find((v) => v.type !== "null") ?? property);
    const enumValues = Array.isArray(main.enum) ? (main.enum as unknown[]).map(String) : [];
    const type = main.type as string | undefined;
    const kind: FieldSpec["kind"] = enumValues.length
      ? "enum"
      : type === "integer"
        ? "integer"
        : type === "number"
          ? "number"
          : type === "boolean"
            ? "boolean"
            : type === "object"
              ? "object"
              : "string";
    const spec: FieldSpec = {
      name,
      kind,
      nullable,
      default: property.default ?? null,
      description: String(property.description ?? main.description ?? ""),
      title: String(property.title ?? name),
      options: enumValues,
      optionsHelp: enumValues.length ? String(main.description ?? "") : "",
    };
    for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
      if (typeof main[key] === "number") spec[key] = main[key] as number;
    }
    if (typeof main.pattern === "string") spec.pattern = main.pattern;
    out[name] = spec;
  }
  return out;
}

/** The form's text for a default value ("" for none). */
export function defaultText(spec: FieldSpec): string | boolean {
  if (spec.kind === "boolean" && !spec.nullable) return Boolean(spec.default);
  if (spec.default == null) return "";
  return String(spec.default);
}

/** The value to send, or undefined to leave the field out (the server's default then applies). */
export function parseValue(spec: FieldSpec, raw: string | boolean): unknown {
  if (typeof raw === "boolean") return raw;
  const text = raw.trim();
  if (text === "") return undefined;
  if (spec.kind === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  if (spec.kind === "integer" || spec.kind === "number") return Number(text);
  return text;
}

/** The same checks the server makes on a value (limits, whole numbers, pattern); null when fine. */
export function validateValue(spec: FieldSpec, raw: string | boolean): string | null {
  if (typeof raw === "boolean") return null;
  const text = raw.trim();
  if (text === "") return spec.nullable || spec.default != null ? null : "required";
  if (spec.kind === "integer" || spec.kind === "number") {
    const value = Number(text);
    if (!Number.isFinite(value)) return "must be a number";
    if (spec.kind === "integer" && !Number.isInteger(value)) return "must be a whole number";
    if (spec.minimum != null && value < spec.minimum) return `must be at least ${spec.minimum}`;
    if (spec.maximum != null && value > spec.maximum) return `must be at most ${spec.maximum}`;
    if (spec.exclusiveMinimum != null && value <= spec.exclusiveMinimum) return `must be greater than ${spec.exclusiveMinimum}`;
    if (spec.exclusiveMaximum != null && value >= spec.exclusiveMaximum) return `must be less than ${spec.exclusiveMaximum}`;
  }
  if (spec.pattern && spec.kind === "string" && !new RegExp(spec.pattern).test(text)) {
    return "use letters, digits, '_', '.' or '-' (starting with a letter or digit), at most 128";
  }
  return null;
}
