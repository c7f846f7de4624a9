"""Qt-free database layer: engines, connection profiles, credentials, the embedded server, migrations, preflight."""
