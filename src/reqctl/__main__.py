"""``python -m reqctl``."""

from reqctl.cli.main import run

run()
