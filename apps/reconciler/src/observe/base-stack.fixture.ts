import type { BaseStack } from './observe';

/** A base stack's outputs as the reconciler reads them, for the unit tests. */
export const EXAMPLE_BASE: BaseStack = {
  apiId: 'a1',
  apiDomainName: 'd-1.execute-api.us-east-1.amazonaws.com',
  apiHostedZoneId: 'ZAPI',
  functionName: 'fn',
  imageUri: 'app:1',
  hostedZoneId: 'ZUSER',
  recordName: 'api.example.com',
  certificateArn: 'arn:cert',
  taskExecutionRoleArn: 'arn:exec',
  taskRoleArn: 'arn:task',
  petsTable: 'shop-pets',
};
