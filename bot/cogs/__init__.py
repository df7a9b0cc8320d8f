"""The bot's extensions, one per concern."""
