"""Discord-free presentation: every command's answer as a neutral :class:`~bot.present.reply.Reply`.

One module per feature builds the reply from the services' results (``ask``, ``feeds``,
``topics``, ``alerts``, ``digest``, ``timeline``, ``status``, ``admin``, ``help``); ``text`` holds
the one ``inert``/``clip``/line-packer every surface uses for feed text. Renderers:
``bot.discord.render`` (embeds and views, the only place that knows Discord's limits) and
``bot.cli.render`` (plain terminal text).
"""
