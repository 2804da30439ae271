"""The console's pages (filled in below)."""

from fastapi import FastAPI


def install_console(app: FastAPI) -> None:
    """Serve the console's pages and assets."""
