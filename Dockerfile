# Aurex in one container: `docker compose up` (docker-compose.yml) or deploy/k8s/.
# The settings are the AUREX_* variables of src/aurex/config.py (docs/operations.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AUREX_HOST=0.0.0.0 \
    AUREX_HTTP_PORT=3000 \
    AUREX_GRPC_PORT=50051 \
    AUREX_TCP_PORT=8080 \
    AUREX_DATA_DIR=/var/lib/aurex \
    AUREX_LOG_FORMAT=json

WORKDIR /opt/aurex
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /var/lib/aurex --create-home aurex

USER aurex
VOLUME ["/var/lib/aurex"]
EXPOSE 3000 50051 8080

# /healthz: the database, the session stores (Redis) and the journal all usable.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['AUREX_HTTP_PORT'], timeout=2)"]

# SIGTERM: stop intake, drain, final snapshot, exit within AUREX_SHUTDOWN_TIMEOUT_S (5 s).
STOPSIGNAL SIGTERM
CMD ["aurex", "serve", "--no-console"]
