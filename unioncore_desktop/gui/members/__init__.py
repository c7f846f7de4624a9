"""The members screen: search, detail form, employment and change history, roster and export."""
