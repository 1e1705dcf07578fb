"""Provenance: batches, provenance events, QR stamps and scans."""
