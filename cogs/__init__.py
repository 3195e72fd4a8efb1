"""Discord-facing cogs: parse options, call one service, render, respond."""
