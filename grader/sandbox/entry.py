"""Which function of a solution file trains the model: its entry point, found by reading the file, never running it.

The exam's and the course's templates call it `solution_model()`; Dicoding's call it after the
problem, `solution_A1()` .. `solution_C5()`. A spec lists the names its problem uses
(`entry`, default `[solution_model]`). The rule, in order:
1. `--entry NAME`: that top-level function, which must exist;
2. the one top-level function the spec names (several of them: ambiguous, say which);
3. else the file's only top-level `solution_*` function (e.g. `solution_B1` graded on dicoding-c1);
4. else one line that lists what the file defines and how to choose (`--entry NAME`).
A file that does not parse is left to the child, which reports the syntax error in its own words.

Example:
    choose_entry(source, spec.entry, asked=None)   # "solution_A2"
"""

import ast

from grader.errors import SubmissionError

ENTRY_PREFIX = "solution_"


def top_level_functions(source: str) -> list[str] | None:
    """The names of the functions defined at the top level of `source`, in order; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _named(names) -> str:
    return " or ".join(f"{name}()" for name in names)


def choose_entry(source: str, spec_entries: tuple[str, ...], asked: str | None = None) -> str:
    """The function to call (see the module doc); SubmissionError with what was found when none fits."""
    functions = top_level_functions(source)
    if functions is None:  # a syntax error: the child says where
        return asked or spec_entries[0]
    found = f"found {', '.join(f'{name}()' for name in functions)}" if functions else "found no top-level function"
    if asked:
        if asked not in functions:
            raise SubmissionError(f"defines no {asked}() function at the top level ({found}); check --entry")
        return asked
    named = [name for name in spec_entries if name in functions]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise SubmissionError(f"defines {_named(named)}: which one trains the model? choose with --entry NAME")
    candidates = [name for name in functions if name.startswith(ENTRY_PREFIX)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise SubmissionError(f"defines no {_named(spec_entries)} function but several candidates "
                              f"({', '.join(f'{name}()' for name in candidates)}): choose with --entry NAME")
    raise SubmissionError(f"defines no {_named(spec_entries)} function ({found}); see the starter file, "
                          "or name the function that returns the model with --entry NAME")
