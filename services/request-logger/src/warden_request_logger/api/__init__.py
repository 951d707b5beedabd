"""HTTP API of the request logger: CloudEvents ingestion and log search."""
