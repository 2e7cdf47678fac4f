# fugitive-alerts worker / dispatcher / monitor image (see docker-compose.yml).
FROM python:3.11-slim

# PyICU builds against the system ICU.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libicu-dev pkg-config g++ \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY matching ./matching
COPY infra ./infra
COPY streams ./streams
COPY consumers ./consumers
COPY alerting ./alerting
COPY fugitive_alerts ./fugitive_alerts
RUN pip install --no-cache-dir '.[fast]'

RUN useradd --create-home --uid 1000 app && mkdir -p /app/var /app/data && chown app:app /app/var
USER app
ENV FUGITIVE_ALERTS_DATA_DIR=/app/var
ENTRYPOINT ["fugitive-alerts"]
CMD ["--help"]
