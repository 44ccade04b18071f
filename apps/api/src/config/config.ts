import { z } from 'zod';
import { ConfigError, loadLambdaFlexConfig, type LambdaFlexConfig, type RunsOn } from '@lambdaflex/nest';

export type { AdminScope, Tier } from '@lambdaflex/nest';

/** The pet store's configuration: LambdaFlex's (tier, region, state table, admin…) and its own table. */
export interface AppConfig extends LambdaFlexConfig {
  /** `PETS_TABLE`, default `lambdaflex-pets`. */
  petsTable: string;
}

const PetsEnv = z.object({ PETS_TABLE: z.string().min(3).max(255).default('lambdaflex-pets') });

/**
 * Reads the configuration from an environment, validated once at start; nothing else reads `process.env`.
 * `runsOn` is what the entry point knows (see `loadLambdaFlexConfig`).
 */
export function loadConfig(env: NodeJS.ProcessEnv, runsOn: RunsOn): AppConfig {
  return withPets(loadLambdaFlexConfig(env, runsOn), env);
}

/** LambdaFlex's configuration with the pet store's own settings read from `env`. */
export function withPets(config: LambdaFlexConfig, env: NodeJS.ProcessEnv): AppConfig {
  const parsed = PetsEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { ...config, petsTable: parsed.data.PETS_TABLE };
}

/** Nest injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
