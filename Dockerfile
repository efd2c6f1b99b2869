# Owner Bot: the Slack app, Socket Mode by default (see docker-compose.yml, docs/deploy.md).
FROM python:3.11-slim

# WITH_ST=1 adds the sentence-transformers backend (CPU torch, about 1 GB more); the default
# encoder is numpy-only and needs neither. The PostgreSQL driver (a few MB) is always in, so
# the same image runs one replica on SQLite or several on PostgreSQL.
ARG WITH_ST=0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OWNER_BOT_DATA_DIR=/data \
    OWNER_BOT_KNOWLEDGE=/app/knowledge \
    OWNER_BOT_HEALTH_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN if [ "$WITH_ST" = "1" ]; then \
        pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
        && pip install '.[st,postgres]'; \
    else \
        pip install '.[postgres]'; \
    fi
# The source tree first on the path, so every subpackage (bot.slack) is importable whatever
# package list the installed metadata carries.
ENV PYTHONPATH=/app

RUN useradd --create-home --uid 10001 owner && mkdir -p /data && chown owner /data
USER owner
VOLUME ["/data"]
EXPOSE 3000 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('OWNER_BOT_HEALTH_PORT', '8080'), timeout=4)"

ENTRYPOINT ["owner-bot"]
CMD ["run"]
