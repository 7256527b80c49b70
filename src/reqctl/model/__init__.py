"""Declared models: IDs and kinds, item models, the project configuration."""
