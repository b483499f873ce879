"""Command line of dialogue-analysis."""

import typer

app = typer.Typer(help="dialogue-analysis")
