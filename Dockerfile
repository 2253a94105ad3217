# One image for every Learnstream process in docker-compose.yml: the web app (granian),
# the transcoder workers and the scheduler (Celery worker / beat), and the one-shot
# migrate / createbucket jobs.

# --- front-end packages: hls.js is served straight from node_modules by the app ---
FROM node:22-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- runtime ---
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LEARNSTREAM_INSTANCE=/var/lib/learnstream \
    LEARNSTREAM_ENV=production

# ffmpeg/ffprobe do the probing and transcoding; espeak-ng and the DejaVu font are only
# used to voice and draw the demo lectures of `flask --app webapp seed --demo`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
# Hashes in requirements.txt: pip checks every download against them.
RUN pip install --require-hashes -r requirements.txt

COPY --from=frontend /src/node_modules ./node_modules
COPY . .

# Run unprivileged. LEARNSTREAM_INSTANCE holds the upload/transcode scratch space
# (UPLOAD_TMP_DIR). LEARNSTREAM_ENV=production: every process of the image refuses to
# start without a strong SECRET_KEY (no generated per-container key).
RUN useradd --system --uid 10001 --home-dir /var/lib/learnstream learnstream \
 && mkdir -p /var/lib/learnstream \
 && chown learnstream /var/lib/learnstream
USER learnstream

EXPOSE 8000
# granian: HTTP in Rust, the app on 32 threads per worker (heartbeats wait for their
# batch's commit: threads let batches fill). SIGTERM: requests in flight are answered,
# workers still busy after 30 s are killed.
# The workers add up their metrics in PROMETHEUS_MULTIPROC_DIR (the web process only: set
# here, not with ENV), emptied at each start.
CMD ["sh", "-c", "export PROMETHEUS_MULTIPROC_DIR=/tmp/learnstream-metrics && \
rm -rf $PROMETHEUS_MULTIPROC_DIR && mkdir -p $PROMETHEUS_MULTIPROC_DIR && \
exec granian --interface=wsgi --host=0.0.0.0 --port=8000 --workers=4 --blocking-threads=32 \
--http=1 --no-ws --backlog=2048 --workers-kill-timeout=30 --access-log --factory webapp:create_app"]
