"""Pure transforms: ingest, NLP, entity resolution, quote extraction, row types."""
