"""Receivers for signals sent by allauth and Django's auth."""
