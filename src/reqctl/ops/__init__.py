"""The use-cases the CLI calls. They take typed arguments, return data and never print."""
