# One image for every tooltrail service; the command picks the role (collector, pipeline,
# detectors run, digests run, keys ...). tests/test_dockerfile.py builds this context the way
# Docker would: every package folder must be copied here.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY src/tooltrail src/tooltrail
COPY cli cli
COPY contract contract
COPY emitter emitter
COPY broker broker
COPY collector collector
COPY pipeline pipeline
COPY detectors detectors
COPY dashboards dashboards
COPY simulator simulator
COPY export export
COPY report report
# every server extra: the same image runs the collector, the pipeline, the detectors and the
# dashboards push
RUN pip install --no-cache-dir ".[collector,pipeline,detectors,dashboards]" \
    && useradd --uid 10001 --create-home --home-dir /home/tooltrail tooltrail \
    && mkdir -p /var/lib/tooltrail/keys /var/lib/tooltrail/models /var/lib/tooltrail/signing \
        /var/lib/tooltrail/digests \
    && chown -R tooltrail /var/lib/tooltrail
# named volumes mounted under /var/lib/tooltrail start as these folders: owned by the user
USER 10001
WORKDIR /var/lib/tooltrail
ENTRYPOINT ["tooltrail"]
CMD ["--help"]
