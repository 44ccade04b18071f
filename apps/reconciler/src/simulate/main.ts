import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudFormationAdapter } from '../adapters/cloudformation.adapter';
import { runSimulateCli } from './cli';
import { progressBar } from './progress';

/**
 * `nx run reconciler:simulate --trace FILE [--policy FILE] [--out DIR]`, or shadow mode with
 * `--from-cloudwatch --service NAME --days N` against AWS (the default credential chain and region).
 * The summary goes to stdout, the progress bar to stderr when it is a terminal.
 */
async function main() {
  const { code, out } = await runSimulateCli(process.argv.slice(2), {
    aws: ({ region, endpoint }) => {
      const common = { region: region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint, maxAttempts: 5, retryMode: 'standard' as const };
      return { cloudwatch: new CloudWatchClient(common), stacks: new CloudFormationAdapter(new CloudFormationClient(common)) };
    },
    progress: progressBar(process.stderr, 'simulating'),
  });
  (code === 0 ? process.stdout : process.stderr).write(out + '\n');
  process.exitCode = code;
}

void main();
