"""Qt-free domain: models, rules, services and read-side queries shared by the app, the CLI and tests."""
