import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudFormationAdapter } from '../adapters/cloudformation.adapter';
import { runSimulateCli } from './cli';
import { progressBar } from './progress';

/**
 * `nx run reconciler:simulate --trace FILE [--policy FILE] [--out DIR] [--fail-on-shortfall]`, or shadow
 * mode with `--from-cloudwatch --service NAME --days N` against AWS (the default credential chain and
 * region). The summary goes to stdout, errors, the progress bar (on a terminal) and a
 * `--fail-on-shortfall` failure to stderr.
 */
async function main() {
  const { code, out, failure } = await runSimulateCli(process.argv.slice(2), {
    aws: ({ region, endpoint }) => {
      const common = { region: region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint, maxAttempts: 5, retryMode: 'standard' as const };
      return { cloudwatch: new CloudWatchClient(common), stacks: new CloudFormationAdapter(new CloudFormationClient(common)) };
    },
    progress: progressBar(process.stderr, 'simulating'),
  });
  // A run that failed on its loss still ran: its summary is output like any other.
  (code === 0 || failure ? process.stdout : process.stderr).write(out + '\n');
  if (failure) process.stderr.write(failure + '\n');
  process.exitCode = code;
}

void main();
