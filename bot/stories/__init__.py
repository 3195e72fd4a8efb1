"""Grouping articles that report the same story."""
