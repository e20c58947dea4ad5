"""SCHEMA messages of the artifact streams, for taps and for files written by hand."""

from ..deploy.input.record_schemas import SCHEMAS, schema_message

__all__ = ["SCHEMAS", "schema_message"]
