"""Pure rule functions: no database, no clock of their own (callers pass 'today')."""
