import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { PolicySchema } from '@lambdaflex/state';

/** Component name of the stored policy (every default filled in) in the OpenAPI document. */
export const POLICY_SCHEMA = 'Policy';
/** Component name of a policy as written: any field may be left out, `service` too (this API's service). */
export const POLICY_INPUT_SCHEMA = 'PolicyInput';

/**
 * Adds the policy schemas, generated from the shared zod schema, so the document cannot drift from
 * what the API validates. Called when the document is built (the first visit of /docs), not at start.
 * Cross-field rules (up above down, rising steps…) are not expressible here; the 400 names them.
 */
export function withAdminSchemas(document: OpenAPIObject): OpenAPIObject {
  const output = z.toJSONSchema(PolicySchema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' });
  const input = z.toJSONSchema(PolicySchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  const { $schema: _o, ...policy } = output as Record<string, unknown>;
  const { $schema: _i, required, ...policyInput } = input as Record<string, unknown>;
  const stillRequired = Array.isArray(required) ? required.filter((r) => r !== 'service') : [];
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    [POLICY_SCHEMA]: policy as SchemaObject,
    [POLICY_INPUT_SCHEMA]: { ...policyInput, ...(stillRequired.length ? { required: stillRequired } : {}) } as SchemaObject,
  };
  return document;
}
