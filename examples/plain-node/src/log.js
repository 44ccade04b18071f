/** One JSON line per event on stdout: what CloudWatch Logs (Lambda, ECS awslogs) and the local cloud read. */
export function log(msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
}
