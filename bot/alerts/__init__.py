"""Alerts: the durable outbox and delivery through transports."""
