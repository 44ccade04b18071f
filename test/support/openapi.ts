import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.0 document the contract suite reads. */
export type Schema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface Response {
  description: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { required?: boolean } | { $ref: string }>;
}

export interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
}

export type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string };

export interface OpenApiDocument {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, Schema>;
    headers?: Record<string, { required?: boolean }>;
    securitySchemes?: Record<string, SecurityScheme>;
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

/** Every operation of the document, in the document's order. */
export function operationsOf(document: OpenApiDocument): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ method, path, operation })),
  );
}

/** A parameter's or media type's example: `example`, else the first of `examples`, else the schema's. */
export function exampleOf(holder: { example?: unknown; examples?: Record<string, { value?: unknown }>; schema?: Schema }): unknown {
  if (holder.example !== undefined) return holder.example;
  const first = Object.values(holder.examples ?? {})[0];
  if (first?.value !== undefined) return first.value;
  return holder.schema?.example;
}

// Where the document's component schemas live for Ajv: `#/components/schemas/X` becomes `<id>#/definitions/X`.
const COMPONENTS_ID = 'https://contract.lambdaflex.test/components.json';
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'];
// OpenAPI 3.0's own keywords, annotations only: JSON Schema has no such keyword.
const OPENAPI_ONLY = ['example', 'xml', 'externalDocs', 'discriminator', 'nullable'];

/**
 * An OpenAPI 3.0 schema as the JSON Schema (draft-07) Ajv validates: `nullable` becomes a `null` type,
 * boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric bounds, OpenAPI-only keywords go, and
 * `$ref`s to component schemas point into the components as one Ajv schema.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const source = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (OPENAPI_ONLY.includes(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', `${COMPONENTS_ID}#/definitions/`);
    else if (SCHEMA_MAPS.includes(key)) out[key] = mapValues(value as Record<string, unknown>, toJsonSchema);
    else if (SUBSCHEMAS.includes(key)) out[key] = typeof value === 'object' ? toJsonSchema(value) : value;
    else out[key] = value; // values, not schemas: type, enum, default, required, bounds…
  }
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (out[exclusive] === true) {
      out[exclusive] = out[bound];
      delete out[bound];
    } else if (out[exclusive] === false) delete out[exclusive];
  }
  if (source.nullable !== true) return out;
  if (out.enum) out.enum = [...(out.enum as unknown[]), null];
  return out.type ? { ...out, type: [out.type as string, 'null'].flat() } : { anyOf: [out, { type: 'null' }] };
}

function mapValues(record: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** Validates values against the document's schemas (with its components), as JSON Schema. */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: COMPONENTS_ID, definitions: mapValues(document.components?.schemas ?? {}, toJsonSchema) });
  }

  /** The ways `value` breaks `schema` (an OpenAPI schema), or none. */
  problems(schema: Schema, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.compiled.set(key, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map(describe);
  }

  /** The document's schema `name` resolved one level: what `$ref` points to. */
  static resolve(document: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
    const ref = schema?.$ref;
    if (typeof ref !== 'string') return schema;
    return document.components?.schemas?.[ref.replace('#/components/schemas/', '')];
  }
}

function describe(e: ErrorObject): string {
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${e.params ? ' ' + JSON.stringify(e.params) : ''}`;
}

/** A value `schema` refuses, of the kind a client gets wrong: out of bounds, not in the enum, the wrong type. */
export function invalidValue(schema: Schema | undefined): unknown {
  if (!schema) return { not: 'expected' };
  if (Array.isArray(schema.enum)) return '\u00abnot-one-of-the-values\u00bb';
  if (schema.type === 'integer' || schema.type === 'number') {
    if (typeof schema.maximum === 'number') return schema.maximum + 1;
    if (typeof schema.minimum === 'number') return schema.minimum - 1;
    return 'not-a-number';
  }
  if (schema.type === 'string') {
    if (typeof schema.maxLength === 'number') return 'x'.repeat(schema.maxLength + 1);
    return 12345;
  }
  return 'not-an-object-or-array';
}
