"""Where the collector hands verified segments: Kafka, or the embedded pipeline."""
