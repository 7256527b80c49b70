"""``reqctl serve``: the review server for customers (optional extra ``reqctl[serve]``)."""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.messages import _, lazy

INSTALL_HINT = lazy("reqctl serve needs the 'serve' extra: {command}", command="pip install 'reqctl[serve]'")


def register(app: typer.Typer) -> None:
    @app.command("serve", short_help="Serve review pages where customers approve in a browser.")
    def serve_command(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Address to listen on (keep localhost behind a proxy).")]
        = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    ) -> None:
        """Serve the review pages that 'reqctl review invite' links to (needs review.recorder in reqctl.yaml)."""
        from reqctl.errors import UsageError

        if any(importlib.util.find_spec(name) is None for name in ("starlette", "uvicorn", "multipart")):
            raise UsageError(INSTALL_HINT)
        import logging

        import uvicorn

        from reqctl.review.app import create_app

        project = state(ctx).project_config()
        review_app = create_app(project.root)
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.warning_line(
                _("listening on {host}: put a TLS-terminating reverse proxy in front of it").format(host=host))
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        console.print_plain(_("reviews of {project} at {url} (Ctrl-C stops)").format(
            project=project.config.name, url=f"http://{host}:{port}/"))
        uvicorn.run(review_app, host=host, port=port, access_log=False, log_level="info", server_header=False)
