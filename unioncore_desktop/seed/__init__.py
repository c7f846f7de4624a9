"""Synthetic, deterministic data: the demo hall and stress volumes. No real person's data."""
