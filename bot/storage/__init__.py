"""The only package with SQL in it."""
