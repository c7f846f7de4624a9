"""Qt item models over the domain's frozen row DTOs; one module per area, all built on base.RowTableModel."""
