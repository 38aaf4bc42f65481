"""The learning record: append-only xAPI-shaped statements of every meaningful action."""
