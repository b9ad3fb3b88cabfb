# meetbridge production image: slim Python, non-root, health-checked.
#   docker build -t meetbridge .
#   docker run --env-file .env -e VONAGE_PRIVATE_KEY=/run/secrets/vonage_private_key \
#     -v "$PWD/private.key:/run/secrets/vonage_private_key:ro" -v meetbridge-data:/data \
#     -p 127.0.0.1:3000:3000 meetbridge
# The key is a mounted file (never baked into the image: *.key is in .dockerignore). In
# production run it behind nginx with deploy/compose.yml: gunicorn must not face the internet
# (slow clients can hold all its threads; README › Production behind nginx).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=3000 DATABASE_PATH=/data/meetbridge.db
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py cli.py gunicorn.conf.py manifest.yml ./
COPY meetbridge ./meetbridge
COPY bot ./bot
COPY webhooks ./webhooks
COPY web ./web

RUN useradd --system --uid 10001 --home-dir /app meetbridge \
    && mkdir -p /data && chown meetbridge /data
USER meetbridge
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
