"""Everything that imports PySide6: the desktop shell over the Qt-free domain."""
