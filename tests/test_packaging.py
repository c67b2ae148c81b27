"""`tfcert starter`: a task's starter file, written where the learner wants it."""

from conftest import single_error

from grader.spec import PROJECT_ROOT

# ---- tfcert starter ---------------------------------------------------------------------------------------------

def test_starter_writes_the_file_and_never_replaces_one_unless_forced(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = (PROJECT_ROOT / "starter" / "task4.py").read_text()
    result = run_cli("starter", "task4")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "task4.py").read_text() == expected and "tfcert grade task4 task4.py" in result.stdout
    (tmp_path / "mine.py").write_text("my work\n")
    result = run_cli("starter", "task4", "--out", "mine.py")
    assert result.exit_code == 2 and "already exists" in single_error(result) and "--force" in result.stderr
    assert (tmp_path / "mine.py").read_text() == "my work\n"
    assert run_cli("starter", "task4", "--out", "mine.py", "--force").exit_code == 0
    assert (tmp_path / "mine.py").read_text() == expected
    result = run_cli("starter", "task4", "--out", tmp_path)
    assert result.exit_code == 2 and "is a folder" in single_error(result)
    assert run_cli("starter", "nope").exit_code == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.py", "task4.py"]  # no temporary left
