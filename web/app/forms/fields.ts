// The fields of a data-entry form, read from the same zod schema the server validates with (one
// definition per shape: the form has no rules of its own). The schema's JSON Schema gives each
// field's type, choices, bounds and description; the schema itself checks what was typed, with
// the server's own words (problemsFromZod).
import { z } from 'zod';
import { issueMessage, problemsFromZod, type Problem } from '../../../api/schemas/problems.ts';
import { hintOf, labelOf } from './plain-words.ts';

export type FieldKind = 'text' | 'longtext' | 'date' | 'integer' | 'number' | 'boolean' | 'optional-boolean' | 'enum';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  /** Must be given: neither null nor left out is accepted. */
  required: boolean;
  /** Empty means null. */
  nullable: boolean;
  options?: readonly string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  /** The hint shown under the field, in the page's words (never a key, code or null). */
  description?: string;
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  /** The hint shown under the field, in the page's words (never a key, code or null). */
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

export { labelOf, optionLabel } from './plain-words.ts';

function kindOf(schema: JsonSchema, name: string): { kind: FieldKind; nullable: boolean; node: JsonSchema } {
  let nullable = false;
  let node = schema;
  if (schema.anyOf) {
    const others = schema.anyOf.filter((s) => s.type !== 'null');
    nullable = others.length < schema.anyOf.length;
    node = others[0] ?? {};
  }
  let type = node.type;
  if (Array.isArray(type)) {
    nullable ||= type.includes('null');
    type = type.find((t) => t !== 'null');
  }
  if (node.enum) return { kind: 'enum', nullable, node };
  if (type === 'boolean') return { kind: nullable ? 'optional-boolean' : 'boolean', nullable, node };
  if (type === 'integer') return { kind: 'integer', nullable, node };
  if (type === 'number') return { kind: 'number', nullable, node };
  if (node.format === 'date') return { kind: 'date', nullable, node };
  if (type === 'string') return { kind: (node.maxLength ?? 0) > 200 ? 'longtext' : 'text', nullable, node };
  throw new Error(`field ${name}: no form input for this schema`);
}

/** The form fields of a zod object schema, in its order, less `omit`. */
export function fieldsOf(schema: z.ZodObject, omit: readonly string[] = []): FieldSpec[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const root = json.$ref ? json.$defs![json.$ref.replace('#/$defs/', '')]! : json;
  const required = new Set(root.required ?? []);
  const fields: FieldSpec[] = [];
  for (const [name, property] of Object.entries(root.properties ?? {})) {
    if (omit.includes(name) || property.type === 'array' || property.type === 'object') continue;
    const { kind, nullable, node } = kindOf(property, name);
    const label = labelOf(name);
    const description = hintOf(name, property.description ?? node.description, label);
    fields.push({
      name,
      label,
      kind,
      required: required.has(name),
      nullable,
      ...(node.enum ? { options: node.enum as string[] } : {}),
      ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
      ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
      ...(node.maxLength !== undefined ? { maxLength: node.maxLength } : {}),
      ...(description && description !== 'ISO calendar date, YYYY-MM-DD' ? { description } : {}),
    });
  }
  return fields;
}

/** What an input shows for a stored value (inputs hold text; a checkbox 'true' or ''). */
export function inputText(field: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.kind === 'boolean') return value === true ? 'true' : '';
  return String(value);
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The value a field's text stands for: empty is null for a nullable field and absent otherwise
 * (the schema then says it is required, or takes its default); numbers that do not parse stay
 * text, so the schema's own message names the problem.
 */
export function valueOf(field: FieldSpec, text: string): unknown {
  const trimmed = field.kind === 'text' || field.kind === 'longtext' ? text : text.trim();
  if (field.kind === 'boolean') return text === 'true';
  if (trimmed === '') return field.nullable ? null : undefined;
  switch (field.kind) {
    case 'integer':
    case 'number':
      return NUMBER.test(trimmed) ? Number(trimmed) : trimmed;
    case 'optional-boolean':
      return trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed;
    default:
      return text;
  }
}

/** The object the form's texts stand for (absent fields left out). */
export function valuesOf(fields: readonly FieldSpec[], texts: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = valueOf(field, texts[field.name] ?? '');
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

/**
 * Check `value` against the schema as the server would: the problems, each with its field's
 * path and the server's wording; none when it passes.
 */
export function check(schema: z.ZodType, value: unknown): Problem[] {
  // The server's error map (api/validate.ts), so the browser says what the server would say.
  const parsed = schema.safeParse(value, { error: issueMessage });
  return parsed.success ? [] : problemsFromZod(parsed.error);
}

/**
 * The fields that differ between a stored record and the form's value: a JSON merge patch (a
 * field emptied becomes null).
 */
export function mergePatchOf(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly FieldSpec[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const field of fields) {
    const was = before[field.name] ?? null;
    const now = after[field.name] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(now)) patch[field.name] = now;
  }
  return patch;
}
