"""Read side: parametrised SELECTs returning frozen rows sized for list screens and reports."""
