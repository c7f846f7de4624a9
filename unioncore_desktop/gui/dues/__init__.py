"""The dues area: posting batches, a member's ledger, and the managers' month-end screens."""
