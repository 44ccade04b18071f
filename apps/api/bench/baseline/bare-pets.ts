import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Express } from 'express';

/**
 * The baseline's GET /pets/:id: the API's DynamoDB call (one GetItem on PETS_TABLE, 404 for a missing or
 * deleted pet) with the same client settings, and nothing else: no validation, logging, security headers
 * or error shape. On the server only: the cold start is measured against bare express alone.
 */
export function withPets(app: Express): Express {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION, endpoint: process.env.DYNAMODB_ENDPOINT, maxAttempts: 3 }));
  const table = process.env.PETS_TABLE ?? 'lambdaflex-pets';
  app.get('/pets/:id', async (req, res) => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: { id: req.params.id } }));
    if (!Item || Item.deletedAt !== undefined) return void res.status(404).json({ message: 'no such pet' });
    const { requestFingerprint: _fingerprint, replay: _replay, ...pet } = Item;
    res.json(pet);
  });
  return app;
}
