"""UnionCore Desktop: the hiring hall's books, dispatch, dues and reports."""

__version__ = "0.1.0"
APP_NAME = "unioncore-desktop"
