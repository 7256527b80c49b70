"""The typer shell: parses options, calls one ops function, renders what it returns."""
