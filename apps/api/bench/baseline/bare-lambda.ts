import serverlessExpress from '@codegenie/serverless-express';
import { bareApp } from './bare-app';

/** The baseline Lambda handler: bare express through serverless-express, bundled like the API. */
export const handler = serverlessExpress({ app: bareApp() });
