"""beatwatch: a chat-ops bot for newsrooms."""

__version__ = "0.1.0"
