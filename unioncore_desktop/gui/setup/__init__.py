"""The hall's set-up: the checklist, hall settings, offices, holiday calendar and contract codes."""
