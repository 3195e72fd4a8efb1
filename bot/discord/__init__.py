"""The Discord shell: replies rendered as embeds and views (``render``, the only module that knows
Discord's limits), answering interactions (``interaction``), the Discord transport, persistent
buttons, background tasks, running and syncing the bot.

Only this package, ``bot/app.py``, ``bot/tree.py`` and ``cogs/`` import discord; this package
never imports ``cogs`` (import-linter contracts in pyproject.toml).
"""
