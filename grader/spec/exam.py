"""ExamSpec: one mock exam as data (`tasks/exams/<id>.yaml`), validated as strictly as a task spec.

An exam is a title, a duration, the instructions a candidate reads first, and its problems in
order, each a task with a weight; a problem whose data is not on this machine may name a task
that stands in for it. Weights are relative: a problem's share of the total is its weight over
the sum. Errors name the file and the field, e.g.
`tasks/exams/google.yaml: problems[2].weight: must be positive`.

Example:
    exam = load_exam_file(exam_paths()["google"], known_tasks={"linear", ...})
    [problem.task for problem in exam.problems]     # ['linear', 'fashion-mnist', ...]
    exam.share(exam.problems[0])                     # 1/15
"""

from dataclasses import dataclass
from pathlib import Path

from grader.errors import SpecError, UnknownTaskError
from grader.spec import typed
from grader.spec.loader import EXAMS_FOLDER, read_mapping, shown_path, tasks_dir


@dataclass(frozen=True)
class ExamProblem:
    """One problem of an exam: the task that poses it, its weight, and what stands in when its data is missing."""

    label: str  # as the exam named it: "Category 1", "A1"
    task: str  # the task id
    weight: float
    stand_in: str | None = None  # a task id graded instead when `task`'s data is not on this machine
    note: str | None = None  # how this problem differs from the real exam's, in one or two sentences


@dataclass(frozen=True)
class ExamSpec:
    """A mock exam: its problems in order, how long it lasts, and how it is scored."""

    id: str
    title: str
    duration_minutes: int
    instructions: str  # what a candidate reads before the clock starts
    scoring: str  # how the real exam scored and weighted the problems, and how tfcert does
    problems: tuple[ExamProblem, ...]
    pass_percent: float | None = None  # the published pass line on the weighted total; None: never published

    def __repr__(self) -> str:
        return f"ExamSpec({self.id!r}: {self.title}, {len(self.problems)} problems, {self.duration_minutes} min)"

    @property
    def total_weight(self) -> float:
        return sum(problem.weight for problem in self.problems)

    def share(self, problem: ExamProblem) -> float:
        """The problem's share of the weighted total (0..1)."""
        return problem.weight / self.total_weight


def exam_paths() -> dict[str, Path]:
    """Exam id -> file, for every `*.yaml` in `tasks_dir()/exams`."""
    folder = tasks_dir() / EXAMS_FOLDER
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def exam_path(exam_id: str) -> Path:
    """The file of `exam_id`, or UnknownTaskError listing the exams that exist."""
    paths = exam_paths()
    if exam_id not in paths:
        raise UnknownTaskError(f"unknown exam '{exam_id}' (known exams: {', '.join(paths) or 'none'}); "
                               "run `tfcert exam list`")
    return paths[exam_id]


def load_exam_file(path: Path, known_tasks: set[str]) -> ExamSpec:
    """Parse and validate one exam file against the task ids that exist; SpecError names the field."""
    try:
        exam = typed.build(ExamSpec, read_mapping(path), "")
        _check(exam, path, known_tasks)
    except typed.FieldError as exc:
        raise SpecError(f"{shown_path(path)}: {exc}") from None
    return exam


def _check(exam: ExamSpec, path: Path, known_tasks: set[str]) -> None:
    """Rules across fields: the id is the file name, problems are known and distinct, weights positive."""
    if exam.id != path.stem:
        raise typed.FieldError("id", f"'{exam.id}' does not match the file name '{path.stem}'")
    if exam.duration_minutes < 1:
        raise typed.FieldError("duration_minutes", "must be at least 1")
    if not exam.problems:
        raise typed.FieldError("problems", "empty: an exam needs at least one problem")
    if exam.pass_percent is not None and not 0 < exam.pass_percent <= 100:
        raise typed.FieldError("pass_percent", "must be between 0 and 100")
    seen_labels, seen_tasks = set(), set()
    for index, problem in enumerate(exam.problems):
        where = f"problems[{index}]"
        if problem.weight <= 0:
            raise typed.FieldError(f"{where}.weight", "must be positive")
        for field in ("task", "stand_in"):
            task = getattr(problem, field)
            if task is not None and task not in known_tasks:
                raise typed.FieldError(f"{where}.{field}", f"unknown task '{task}' (see `tfcert tasks`)")
        if problem.label in seen_labels:
            raise typed.FieldError(f"{where}.label", f"'{problem.label}' appears twice")
        for field in ("task", "stand_in"):  # a session records attempts by task: each may serve one problem
            task = getattr(problem, field)
            if task in seen_tasks:
                raise typed.FieldError(f"{where}.{field}", f"'{task}' serves two problems; one task per problem")
            if task is not None:
                seen_tasks.add(task)
        seen_labels.add(problem.label)
