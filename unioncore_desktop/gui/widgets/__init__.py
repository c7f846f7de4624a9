"""Reusable composite widgets shared by the feature windows."""
