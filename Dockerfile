# healthtune: the API server and the built web UI in one image (TensorFlow CPU).
#
#   podman build --format docker -t healthtune:0.1.0 .        # or: docker build -t healthtune:0.1.0 .
#   podman-compose up -d                                      # compose.yaml builds and runs it behind nginx
#
# The base images are build args, so a mirror or a locally built base can stand in for them
# (deploy/container-test.sh does that where no registry is reachable). docs/deployment.md has the rest.
# No secret is ever a build arg or part of a layer: the API token and the RunPod/S3 keys come from
# the environment at run time (compose's env_file: .env), and .dockerignore keeps .env* out of the
# build context.
ARG NODE_IMAGE=node:20-slim
ARG BASE_IMAGE=python:3.12-slim

# ---- 1. the web UI: web/openapi.json and web/src/api/schema.d.ts are committed, so no Python here
FROM ${NODE_IMAGE} AS ui
WORKDIR /build/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
# vite writes to ../src/healthtune/server/static, i.e. /build/src/healthtune/server/static
RUN npm run build

# ---- 2. the dependencies, in a venv; rebuilt only when pyproject.toml changes
FROM ${BASE_IMAGE} AS deps
ARG EXTRAS=tensorflow
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build
# An empty package and README stand in for the sources, so that pip resolves the dependencies
# from pyproject.toml alone. TensorFlow's C++ headers (~290 MB) only serve to compile custom ops.
# healthtune itself goes to /opt/healthtune (next stage), which the venv finds through a .pth file.
COPY pyproject.toml ./
RUN mkdir -p src/healthtune \
    && touch src/healthtune/__init__.py README.md \
    && pip install ".[${EXTRAS}]" \
    && pip uninstall -y healthtune \
    && rm -rf src build README.md /opt/venv/lib/python3*/site-packages/tensorflow/include \
    && python -c "import site; open(site.getsitepackages()[0] + '/healthtune.pth', 'w').write('/opt/healthtune\n')"

# ---- 3. healthtune with the built UI, apart from the dependencies: a code change is a small layer
FROM deps AS app
COPY README.md ./
COPY src ./src
COPY --from=ui /build/src/healthtune/server/static ./src/healthtune/server/static
RUN pip install --no-deps --target /opt/healthtune . \
    && python -c "import healthtune.server.app as a; assert (a.PACKAGE_STATIC / 'index.html').is_file()"

# ---- 4. the runtime: the base image, the venv, the app, a non-root user; no compilers, no pip cache
FROM ${BASE_IMAGE}
ENV PATH=/opt/healthtune/bin:/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KERAS_BACKEND=tensorflow \
    TF_CPP_MIN_LOG_LEVEL=2 \
    MPLBACKEND=Agg \
    HEALTHTUNE_HOST=0.0.0.0 \
    HEALTHTUNE_PORT=8000 \
    HEALTHTUNE_LOG_LEVEL=INFO \
    HEALTHTUNE_RESULTS_ROOT=/srv/healthtune/optimization_results \
    HEALTHTUNE_DATA_DIR=/srv/healthtune/datasets \
    HEALTHTUNE_LOG_DIR=/srv/healthtune/logs
COPY --from=deps /opt/venv /opt/venv
COPY --from=app /opt/healthtune /opt/healthtune
COPY deploy/app/entrypoint.sh /usr/local/bin/healthtune-entrypoint
COPY deploy/app/healthcheck.py /usr/local/lib/healthtune/healthcheck.py
RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin healthtune \
    && mkdir -p /srv/healthtune/optimization_results /srv/healthtune/datasets /srv/healthtune/logs \
    && chown -R healthtune:healthtune /srv/healthtune \
    && chmod 0755 /usr/local/bin/healthtune-entrypoint
# results (runs, studies.db, jobs.db), the dataset cache and the log files outlive the container
VOLUME ["/srv/healthtune/optimization_results", "/srv/healthtune/datasets", "/srv/healthtune/logs"]
WORKDIR /srv/healthtune
USER healthtune
EXPOSE 8000
# GET {root_path}/api/health with the token; python, because slim images have no curl
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/venv/bin/python", "/usr/local/lib/healthtune/healthcheck.py"]
# The entrypoint refuses to serve without HEALTHTUNE_API_TOKEN (the container binds 0.0.0.0).
# Logs go to the container's output (and to rotated files under /srv/healthtune/logs).
ENTRYPOINT ["/usr/local/bin/healthtune-entrypoint"]
CMD ["healthtune", "serve", "--host", "0.0.0.0", "--port", "8000"]
