"""Authoring tools for task data: `python -m grader.data write-vocabulary TASK`.

`write-vocabulary` rebuilds a `builtin:headlines` task's shipped vocabulary file from its
training split (run it after changing the generator, then commit the file).
"""

import sys

from grader.data.headlines import write_vocabulary
from grader.data.registry import DATA_RULES
from grader.spec import load_spec, spec_path

USAGE = "usage: python -m grader.data write-vocabulary TASK"

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "write-vocabulary":
        sys.exit(USAGE)
    write_vocabulary(load_spec(spec_path(sys.argv[2]), DATA_RULES))
