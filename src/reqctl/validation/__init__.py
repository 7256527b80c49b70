"""Rules that check a project, the findings they produce, and output formats."""
