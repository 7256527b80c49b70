"""Rendering: Jinja environment, template contexts, charts."""
