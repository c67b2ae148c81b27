"""`python -m grader.cli ARGS`: the `tfcert` command."""

from grader.cli import main

main()
