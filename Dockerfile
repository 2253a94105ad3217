# One image for every Learnstream process in docker-compose.yml: the web app (gunicorn),
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
    LEARNSTREAM_INSTANCE=/var/lib/learnstream

# ffmpeg/ffprobe do the probing and transcoding; the DejaVu font is only used to draw
# titles on the generated demo lessons of `flask --app webapp seed`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --from=frontend /src/node_modules ./node_modules
COPY . .

# Run unprivileged. LEARNSTREAM_INSTANCE holds the upload/transcode scratch space
# (UPLOAD_TMP_DIR) and, only if SECRET_KEY is unset, a generated secret.
RUN useradd --system --uid 10001 --home-dir /var/lib/learnstream learnstream \
 && mkdir -p /var/lib/learnstream \
 && chown learnstream /var/lib/learnstream
USER learnstream

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "32", \
     "--timeout", "120", "--graceful-timeout", "30", "--access-logfile", "-", \
     "webapp:create_app()"]
