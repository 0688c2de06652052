"""agent_console package."""
