"""The Discord side of ``bot/``: the Discord transport, persistent alert buttons, background tasks.

Only this package, ``bot/app.py``, ``bot/tree.py`` and ``cogs/`` import discord.
"""
