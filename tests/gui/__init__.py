"""GUI tests: real widgets and threads, no database."""
