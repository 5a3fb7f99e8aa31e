"""Receivers for other apps' signals (sign-in merges the session cart)."""
