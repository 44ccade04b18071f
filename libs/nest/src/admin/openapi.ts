import type { OpenAPIObject } from '@nestjs/swagger';
import type { MediaTypeObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { PolicySchema, type PolicyInput } from '@lambdaflex/state';
import { SetOverrideDto } from './dto/override.dto';

/** Component name of the stored policy (every default filled in) in the OpenAPI document. */
export const POLICY_SCHEMA = 'Policy';
/** Component name of a policy as written: `service` (this API's) and any other field; left-out ones take their defaults. */
export const POLICY_INPUT_SCHEMA = 'PolicyInput';

/**
 * Adds the policy schemas, generated from the shared zod schema, so the document cannot drift from
 * what the API validates, and the example body of `PUT /admin/policy`. Called when the document is
 * built (the first visit of /docs), not at start. `service` is the one this API administers
 * (`SERVICE_NAME`): the only value a write may name. Cross-field rules (up above down, rising steps…)
 * are not expressible here; the 400 names them.
 */
export function withAdminSchemas(document: OpenAPIObject, service: string): OpenAPIObject {
  const output = z.toJSONSchema(PolicySchema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' });
  const input = z.toJSONSchema(PolicySchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  const { $schema: _o, ...policy } = output as Record<string, unknown>;
  const { $schema: _i, required, properties, ...policyInput } = input as { $schema?: string; required?: string[]; properties: Record<string, unknown> };
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    [POLICY_SCHEMA]: policy as SchemaObject,
    [POLICY_INPUT_SCHEMA]: {
      ...policyInput,
      properties: {
        ...properties,
        service: { type: 'string', enum: [service], description: 'The service this API administers, and no other.' },
      },
      // A replacement names its service, so that an empty one (`{}`) never resets a policy to the defaults.
      required: [...new Set([...(required ?? []), 'service'])],
    } as SchemaObject,
  };
  const body = document.paths['/admin/policy']?.put?.requestBody as RequestBodyObject | undefined;
  const json: MediaTypeObject | undefined = body?.content['application/json'];
  if (json) {
    json.examples = {
      tuned: { summary: 'Thresholds, steps and task sizes tuned; the rest defaults', value: { service, ...POLICY_INPUT_EXAMPLE } },
    };
  }
  return document;
}

/** The example of `PUT /admin/policy` but its `service`: a tuned policy; every field left out takes its default. */
export const POLICY_INPUT_EXAMPLE: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 40, windowSeconds: 120 },
  scaleDown: { thresholdRps: 8, windowSeconds: 900 },
  dual: { steps: [25, 100] },
  fargate: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 6 },
};

const DAY_MS = 86_400_000;

/**
 * Sets the examples that depend on the time: a pin's `until` must be in the future, so the example is
 * a day after `now` (whole seconds, UTC), never a fixed date that the calendar overtakes.
 */
export function withAdminExamples(document: OpenAPIObject, now: number): OpenAPIObject {
  const until = new Date(Math.floor((now + DAY_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const override = document.components?.schemas?.[SetOverrideDto.name] as SchemaObject | undefined;
  const untilSchema = override?.properties?.until as SchemaObject | undefined;
  if (untilSchema) untilSchema.example = until;
  const body = document.paths['/admin/override']?.put?.requestBody as RequestBodyObject | undefined;
  const json: MediaTypeObject | undefined = body?.content['application/json'];
  if (json) {
    json.examples = {
      pinUntil: { summary: 'Pin to Fargate for a day', value: { tier: 'fargate', until } },
      pin: { summary: 'Pin to Lambda until the pin is cleared', value: { tier: 'lambda' } },
    };
  }
  return document;
}
