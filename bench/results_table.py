"""Shared by the bench scripts: print a result table and keep it under bench/results/."""

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(name: str, lines: list[str]) -> None:
    """Print the table and write it to bench/results/<name>.md."""
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.md"
    out.write_text(table + "\n")
    print(f"\nwritten to {out.relative_to(RESULTS.parent.parent)}")
