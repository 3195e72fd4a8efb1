"""Digest building (pure: values in, Digest out)."""
