/**
 * The example services the tests deploy, as the deploy settings a user would give (environment
 * variables of `nx run deploy:synth` / `deploy:deploy`): the pet store (apps/api, with its table) and a
 * plain Node.js HTTP server (examples/plain-node: port 8080, `/healthz`, no table, two variables).
 */

/** The pet store: the image built from apps/api/Dockerfile, with the pets table. */
export const PET_STORE_ENV = {
  LAMBDAFLEX_SERVICE: 'shop',
  LAMBDAFLEX_DOMAIN_NAME: 'api.shop.example.com',
  LAMBDAFLEX_HOSTED_ZONE_ID: 'Z0123456789ABCDEFGHIJ',
  LAMBDAFLEX_IMAGE_REPOSITORY: 'lambdaflex-api',
  LAMBDAFLEX_IMAGE_TAG: 'v1.2.3',
  LAMBDAFLEX_PETS_TABLE: 'true',
} as const;

/** The plain-node example's image, by its full URI (account and region included). */
export const PLAIN_NODE_IMAGE_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/lambdaflex-plain-node:v1';

/** A generic image: examples/plain-node, with its port and health path spelled out, two variables and less memory. */
export const PLAIN_NODE_ENV = {
  LAMBDAFLEX_SERVICE: 'plain-node',
  LAMBDAFLEX_DOMAIN_NAME: 'plain.example.com',
  LAMBDAFLEX_HOSTED_ZONE_ID: 'Z0123456789ABCDEFGHIJ',
  LAMBDAFLEX_IMAGE_URI: PLAIN_NODE_IMAGE_URI,
  LAMBDAFLEX_CONTAINER_PORT: '8080',
  LAMBDAFLEX_HEALTH_PATH: '/healthz',
  LAMBDAFLEX_LAMBDA_MEMORY_MIB: '512',
  LAMBDAFLEX_ENVIRONMENT: 'GREETING=hello from LambdaFlex,LOG_LEVEL=info',
} as const;

/** The variables {@link PLAIN_NODE_ENV} gives its image. */
export const PLAIN_NODE_VARIABLES = { GREETING: 'hello from LambdaFlex', LOG_LEVEL: 'info' } as const;
