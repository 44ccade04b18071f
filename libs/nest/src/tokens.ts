/** Nest injection token of the resolved {@link LambdaFlexConfig} (options over the environment). */
export const LAMBDAFLEX_CONFIG = Symbol('LAMBDAFLEX_CONFIG');
/** Nest injection token of the process's one pino logger (JSON lines, tier on each). */
export const LAMBDAFLEX_LOGGER = Symbol('LAMBDAFLEX_LOGGER');
/**
 * Nest injection token of the {@link LambdaFlexEntry}: which entry runs the app and the environment it
 * runs with, so that an app reads its own settings from the same environment as LambdaFlex.
 */
export const LAMBDAFLEX_ENTRY = Symbol('LAMBDAFLEX_ENTRY');
/** Nest injection token of the shared DynamoDB document client (one per app, and so per container). */
export const DYNAMODB = Symbol('DYNAMODB');

/** The options given to `LambdaFlexModule.forRoot`, as given. */
export const LAMBDAFLEX_OPTIONS = Symbol('LAMBDAFLEX_OPTIONS');
/** The module's options, validated: the config and the module's own settings. */
export const LAMBDAFLEX_SETTINGS = Symbol('LAMBDAFLEX_SETTINGS');
/** What an entry helper says about itself; the module reads it through {@link LAMBDAFLEX_ENTRY}. */
export const ENTRY_INPUT = Symbol('LAMBDAFLEX_ENTRY_INPUT');
