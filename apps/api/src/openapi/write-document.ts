import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/config';
import { buildOpenApiDocument } from './document';

/**
 * Builds the OpenAPI document from the app, in process and without a server or a database (the app is
 * created, never asked to serve), and writes it as JSON: `node write-document.js tmp/openapi.json`.
 * apps/api/write-openapi.mjs bundles and runs this; `nx run api:lint-openapi` lints what it writes.
 */
async function main(out = 'tmp/openapi.json') {
  const config = loadConfig({ LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1' }, 'server');
  const app = await createApp(config);
  try {
    const document = buildOpenApiDocument(app);
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
    const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    process.stdout.write(JSON.stringify({ msg: 'openapi written', out, paths: Object.keys(document.paths).length, operations }) + '\n');
  } finally {
    await app.close();
  }
}

main(process.argv[2]).catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
