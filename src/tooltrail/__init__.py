"""tooltrail: tamper-evident audit logging and anomaly detection for MCP tool calls.

The distribution is one package namespace; each stage lives in its own sub-package:

- ``tooltrail.contract``  the event, its canonical bytes, the hash chain, checkpoints, ``verify``
- ``tooltrail.emitter``   in-process recording: redact, fingerprint, chain, spool, ship (stdlib)
- ``tooltrail.collector`` authenticated ingest service (FastAPI → Kafka)
- ``tooltrail.pipeline``  stream processing into ClickHouse
- ``tooltrail.detectors`` rules and PyOD models over feature windows, alert sinks
- ``tooltrail.dashboards`` Grafana dashboards as code
- ``tooltrail.simulator`` labelled MCP traffic with attacks, for demos and tests
- ``tooltrail.cli``       the ``tooltrail`` command (``up``, ``demo``, and each stage's commands)

Every folder of the repository is its import path (``collector/`` is ``tooltrail.collector``);
this root package has its own folder, ``src/tooltrail/``.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
