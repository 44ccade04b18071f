#!/bin/sh
# One image, two ways to run, chosen at start:
#   AWS_LAMBDA_RUNTIME_API set (Lambda)  -> bootstrap.js serving lambda.handler (or the handler given as $1)
#   otherwise (Fargate, local)           -> the HTTP server on $PORT
set -eu
app_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -n "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  exec node "$app_dir/bootstrap.js" "${1:-lambda.handler}"
fi
exec node "$app_dir/main.js"
