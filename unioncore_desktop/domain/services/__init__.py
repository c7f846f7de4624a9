"""Use cases: functions shaped `verb_noun(uow, *, ...)` that own their transaction and raise DomainErrors."""
