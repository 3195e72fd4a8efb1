"""Topic rules and the matcher (pure)."""
