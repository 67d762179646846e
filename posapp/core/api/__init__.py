"""Client of the platform's /v1 merchant API."""
