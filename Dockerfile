# One image for every tooltrail service; the command picks the role.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cli cli
COPY contract contract
COPY emitter emitter
COPY collector collector
COPY pipeline pipeline
COPY detectors detectors
COPY dashboards dashboards
RUN pip install --no-cache-dir ".[collector,pipeline]" \
    && useradd --uid 10001 --create-home tooltrail
USER tooltrail
ENTRYPOINT ["tooltrail"]
