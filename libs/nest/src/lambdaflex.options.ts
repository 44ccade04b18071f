import type { Type } from '@nestjs/common';
import type { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CONFIG_FIELDS,
  lambdaFlexConfigOf,
  resolveFields,
  type Field,
  type LambdaFlexConfig,
  type LambdaFlexConfigOptions,
  type RunsOn,
} from './config/config';

/**
 * What `GET /readyz` asks before it answers 200: that what the service needs to serve (its table, a
 * queue) answers. Throw to say "not ready": an `HttpException` leaves as it is (say which dependency, not
 * its secrets); anything else is a 503 naming only the error's class.
 */
export interface ReadinessCheck {
  check(): Promise<void> | void;
}

/** The service's readiness check: a provider of the app (listed in one of its modules), found by its class. */
export interface ReadinessOptions {
  check: Type<ReadinessCheck>;
  /** What readiness proves, for the OpenAPI document: "the orders table answers". */
  description?: string;
}

/** How the OpenAPI document at `/docs` describes the app (LambdaFlex adds its own routes, tags and schemes). */
export interface OpenApiOptions {
  /** Title, description, version and the app's tags; by default the title is the service name. */
  frame?: (builder: DocumentBuilder) => DocumentBuilder;
  /** Touches the document Nest generated from the app's decorators, before the error answers are added. */
  refine?: (document: OpenAPIObject) => OpenAPIObject;
}

/**
 * The options of `LambdaFlexModule.forRoot`. Every one may be left out: the configuration fields default
 * from the environment LambdaFlex gives each tier (see docs/your-service.md), the rest have defaults.
 */
export interface LambdaFlexOptions extends LambdaFlexConfigOptions {
  /** The `service` field of every log line; default `lambdaflex-api`. */
  appName?: string;
  /** Readiness beyond "the process serves" (the default). */
  readiness?: ReadinessOptions;
  openApi?: OpenApiOptions;
}

/** The module's options, validated: the configuration and the module's own settings. */
export interface LambdaFlexSettings {
  config: LambdaFlexConfig;
  appName?: string;
  readiness?: ReadinessOptions;
  openApi?: OpenApiOptions;
}

const isFunction = (message: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', message);

// The module's own options: not from the environment (no variable), only given.
const MODULE_FIELDS: Record<string, Field> = {
  appName: { env: '', schema: z.string().regex(/^[\w.:-]{1,100}$/, 'must be 1 to 100 letters, digits, _ . : or -').optional() },
  readiness: {
    env: '',
    schema: z
      .strictObject({
        check: isFunction('must be the class of a provider that implements ReadinessCheck'),
        description: z.string().min(1).max(200).optional(),
      })
      .optional(),
  },
  openApi: {
    env: '',
    schema: z.strictObject({ frame: isFunction('must be a function').optional(), refine: isFunction('must be a function').optional() }).optional(),
  },
};

/** Validates the module's options over the entry's environment; throws a `ConfigError` naming every bad field, on one line. */
export function resolveSettings(options: LambdaFlexOptions, env: NodeJS.ProcessEnv, runsOn: RunsOn): LambdaFlexSettings {
  const values = resolveFields({ ...CONFIG_FIELDS, ...MODULE_FIELDS }, options, env);
  return {
    config: lambdaFlexConfigOf(values, env, runsOn),
    appName: values.appName as string | undefined,
    readiness: values.readiness as ReadinessOptions | undefined,
    openApi: values.openApi as OpenApiOptions | undefined,
  };
}
