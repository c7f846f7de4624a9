"""The import workbench: a hall's records brought in from its old system (admins)."""
