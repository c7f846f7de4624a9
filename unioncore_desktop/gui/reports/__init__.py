"""The Reports area: a catalogue of printed reports with their parameter forms."""
