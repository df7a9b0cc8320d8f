"""The Discord adapter over the knowledge core (built under issue 3)."""
