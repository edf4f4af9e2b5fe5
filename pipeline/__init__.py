"""tooltrail.pipeline: from the collector's verified segments to the store, and the log's proof.

- ``processor``: one member of the consumer group on the events topic; decodes each segment
  (``segments``), inserts a batch into the store, and only then commits the offsets (a failed
  insert commits nothing; undecodable records go to the dead-letter topic).
- ``embedded``: the same hand-off without Kafka for ``tooltrail up`` (the collector's sink and
  head store are the store itself).
- ``store``: the ClickHouse / chDB schema, rows and queries (``open_store``).
- ``integrity``: hourly signed digests and ``verify`` over the stored log.
- ``cli``: ``tooltrail pipeline`` (the processor as a service).

Importing this package loads no driver (clickhouse-connect, kafka-python, pandas).
"""
