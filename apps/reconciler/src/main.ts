import pino from 'pino';
import { createAwsPorts } from './adapters/aws-ports';
import { runCli } from './cli';
import { loadConfig } from './config';

/**
 * `nx run reconciler:plan|reconcile|status --service NAME`: the CLI against AWS (the default
 * credential chain and region) or a local endpoint (`--endpoint`).
 */
async function main() {
  const { code, out } = await runCli(process.argv.slice(2), (options) => {
    const config = loadConfig(process.env, { STATE_TABLE: options.table, AWS_REGION: options.region, AWS_ENDPOINT_URL: options.endpoint });
    return createAwsPorts(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)));
  });
  (code === 0 ? process.stdout : process.stderr).write(out + '\n');
  process.exitCode = code;
}

void main();
