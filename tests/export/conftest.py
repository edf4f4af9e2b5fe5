"""Export fixtures: the store fixtures of the pipeline tests (chDB, and over HTTP)."""

from tests.pipeline.conftest import chbridge, http_config, http_store, store

__all__ = ["chbridge", "http_config", "http_store", "store"]
