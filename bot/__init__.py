"""The Discord adapter over the knowledge core: ``KnowledgeBot`` in ``bot.client``,
one extension per concern in ``bot.cogs``. See README.md, "Discord bot"."""
