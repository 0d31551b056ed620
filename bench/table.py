"""Tables as aligned text for the terminal and as Markdown for the README."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    headers: list[str]
    right: set[int] = field(default_factory=set)  # columns aligned right (numbers)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def text(self) -> str:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.headers)]

        def line(cells: list[str]) -> str:
            return "  ".join(
                c.rjust(w) if i in self.right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths))
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        body = [self.title, "", line(self.headers), rule, *map(line, self.rows)]
        body += [f"  {note}" for note in self.notes]
        return "\n".join(body) + "\n"

    def markdown(self) -> str:
        def line(cells: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        rule = "|" + "|".join("---:" if i in self.right else "---" for i in range(len(self.headers))) + "|"
        body = [f"### {self.title}", "", line(self.headers), rule, *map(line, self.rows)]
        if self.notes:
            body += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(body) + "\n"


def seconds(value: float) -> str:
    return f"{value:.3f}"


def mib(value: float) -> str:
    return f"{value:.1f}"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"
