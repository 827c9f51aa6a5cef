"""The app image's HEALTHCHECK: GET {HEALTHTUNE_ROOT_PATH}/api/health on the container's own port.

Exit 0 when the server answers 200 with status "ok", 1 otherwise (with the reason on stdout, which
`podman inspect` / `docker inspect` keep in the health log). Sends the API token, which every /api
route needs when it is set. No proxy: this is a loopback call inside the container.
"""

import json
import os
import sys
import urllib.request

port = os.environ.get("HEALTHTUNE_PORT") or "8000"
root = (os.environ.get("HEALTHTUNE_ROOT_PATH") or "").rstrip("/")
request = urllib.request.Request(f"http://127.0.0.1:{port}{root}/api/health")
token = os.environ.get("HEALTHTUNE_API_TOKEN")
if token:
    request.add_header("Authorization", f"Bearer {token}")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(request, timeout=4) as response:
        body = json.load(response)
except Exception as error:  # any failure is "unhealthy", with its reason
    print(f"unhealthy: {error}")
    sys.exit(1)
if body.get("status") != "ok":
    print(f"unhealthy: {body}")
    sys.exit(1)
print(f"healthy: {body.get('jobs_running', 0)} running, {body.get('jobs_queued', 0)} queued")
