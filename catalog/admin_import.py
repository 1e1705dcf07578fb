"""Decision admin and the recognition-list upload (owned by the importer work)."""
