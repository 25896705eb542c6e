"""What the CLI prints: tables of services, seams and the dependency graph, with rich.

Text from the user (config values, names, paths, error messages) goes through `escape`:
rich reads `[tool.seamline]` or `[a-z]` as markup and would drop it.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from seamline.config import SystemConfig
from seamline.system.detached import SeamRow, ServiceRow


def console(stderr: bool = False) -> Console:
    made = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not made.is_terminal and "COLUMNS" not in os.environ:
        made.width = 160  # logs and CI: keep URLs on one line so they can be copied
    return made


def error(text: str, hint: str = "") -> None:
    """Print an error (and a hint under it) on stderr, as written."""
    console(stderr=True).print(f"[red]{escape(text)}[/]" + (f"\n  {escape(hint)}" if hint else ""))


def services_table(rows: list[ServiceRow], title: str) -> Table:
    table = Table(title=escape(title), title_justify="left", expand=False)
    for column in ("service", "kind", "url", "ready in", "runs"):
        table.add_column(column, overflow="fold")
    for row in rows:
        ready = f"{row.ready_s * 1000:.0f} ms" if row.ready_s is not None else "-"
        cells = (row.name, row.kind, row.url or "-", ready, row.describe)
        table.add_row(*map(escape, cells))
    logs = sorted({str(Path(row.log).parent) for row in rows if row.log})
    if logs:
        table.caption = escape("logs: " + ", ".join(logs))
        table.caption_justify = "left"
    return table


def seams_table(rows: list[SeamRow]) -> Table:
    table = Table(title="seams (every exchange is recorded)", title_justify="left")
    for column in ("seam", "proxy", "forwards to"):
        table.add_column(column)
    for row in rows:
        table.add_row(*map(escape, (row.seam, row.url, row.provider_url)))
    return table


def graph_tree(config: SystemConfig) -> Tree:
    tree = Tree(f"[bold]{escape(config.name)}[/] ({escape(str(config.path))})")
    for number, wave in enumerate(config.waves, start=1):
        branch = tree.add(f"start wave {number}")
        for name in wave:
            spec = config.spec.services[name]
            needs = config.needs(name)
            text = f"[bold]{name}[/] ({spec.kind})"
            if needs:
                text += " needs " + ", ".join(needs)
            probe = spec.ready.describe() if spec.ready else "default readiness"
            branch.add(f"{text} - ready: {escape(probe)}")
    for title, links in (("seams", config.links), ("message seams", config.message_links)):
        if links:
            seams = tree.add(title)
            for link in links:
                seams.add(escape(f"{link.consumer} -> {link.provider}  (via {link.variable})"))
    return tree
