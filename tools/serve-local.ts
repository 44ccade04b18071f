/**
 * `npm start`: the API on this machine with no AWS account. Starts dynalite, creates the pets
 * table, and runs the built server as a child process (the same bundle the image runs).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPetsTable, LOCAL_CREDENTIALS, startDynalite } from '@lambdaflex/local-cloud';

const root = path.resolve(__dirname, '..');

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const db = await startDynalite(Number(process.env.DYNALITE_PORT ?? 0));
  const petsTable = 'lambdaflex-pets';
  await createPetsTable(db.client, petsTable);
  const api = spawn(process.execPath, [path.join(root, 'dist/apps/api/main.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LAMBDAFLEX_TIER: 'local',
      PETS_TABLE: petsTable,
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
  });
  process.stdout.write(
    `\nLambdaFlex API (local tier, DynamoDB at ${db.endpoint})\n` +
      `  health   http://127.0.0.1:${port}/healthz\n  pets     http://127.0.0.1:${port}/pets\n` +
      `  OpenAPI  http://127.0.0.1:${port}/docs\nCtrl-C stops everything.\n\n`,
  );
  const stop = () => api.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  api.once('exit', async (code) => {
    await db.stop();
    process.exit(code ?? 0);
  });
}

main().catch((err: Error) => {
  process.stderr.write(`lambdaflex: ${err.message}\n`);
  process.exit(1);
});
