import serverlessExpress from '@codegenie/serverless-express';
import { bareApp } from './bare-app';
import { withPets } from './bare-pets';

/** The baseline Lambda handler with GET /pets/:id: bare express and the same DynamoDB client as the API's. */
export const handler = serverlessExpress({ app: withPets(bareApp()) });
