#!/bin/sh
# The app container's entrypoint: the server binds 0.0.0.0 inside the container, so it must not
# start without an API token (`healthtune serve` alone would only log a warning). Other commands
# (`healthtune datasets list`, a shell) run as given.
set -eu
if [ "${1:-}" = "healthtune" ] && [ "${2:-}" = "serve" ] && [ -z "${HEALTHTUNE_API_TOKEN:-}" ]; then
    echo "healthtune: HEALTHTUNE_API_TOKEN is not set; refusing to serve on a container network without it." >&2
    echo "healthtune: put HEALTHTUNE_API_TOKEN=\$(openssl rand -hex 32) in .env (see .env.example)." >&2
    exit 64
fi
exec "$@"
