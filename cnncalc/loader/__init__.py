"""Text in, `Network` out: every value located; the only importer of yaml."""
