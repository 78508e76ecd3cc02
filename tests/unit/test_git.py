"""policy_site.git, the one module that runs git, on throwaway repositories."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

import policy_site
from policy_site.git import (
    GitError,
    check_history,
    commits_with,
    deleted_paths,
    file_at,
    file_at_head,
    last_commit_with,
)
from policy_site.problems import PolicySiteError

SOURCE = Path(policy_site.__file__).parent


def git(folder: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.com", *args]
    return subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True).stdout


def repository(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q")
    return folder


def commit(folder: Path, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return git(folder, "rev-parse", "HEAD").strip()


def test_a_deleted_file_is_named_with_the_commit_that_deleted_it(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    kept = repo / "kept"
    kept.mkdir()
    (kept / "a.js").write_text("a", encoding="utf-8")
    (kept / "b.js").write_text("b", encoding="utf-8")
    (repo / "outside.txt").write_text("o", encoding="utf-8")
    commit(repo, "add")
    assert deleted_paths(kept) == {}
    (kept / "a.js").unlink()
    (repo / "outside.txt").unlink()
    first = commit(repo, "delete a")
    (kept / "a.js").write_text("a", encoding="utf-8")
    commit(repo, "restore a")
    (kept / "a.js").unlink()
    second = commit(repo, "delete a again")
    # Relative to the folder asked about, only its own paths, the newest deletion of each.
    assert deleted_paths(kept) == {"a.js": second}
    assert first != second


def test_a_file_at_head_and_in_older_commits(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    folder = repo / "consent"
    folder.mkdir()
    assert file_at_head(folder, "ledger.json") is None  # no commit yet
    (folder / "ledger.json").write_text("one\n", encoding="utf-8")
    first = commit(repo, "one")
    (folder / "ledger.json").write_text("two\n", encoding="utf-8")
    second = commit(repo, "two")
    (folder / "ledger.json").write_text("three, not committed\n", encoding="utf-8")
    assert file_at_head(folder, "ledger.json") == "two\n"
    assert file_at_head(folder, "other.json") is None
    assert file_at(folder, first, "ledger.json") == "one\n"
    assert commits_with(folder, "ledger.json") == [second, first]


def test_the_last_commit_with_a_file(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    path = repo / "versions" / "2027-01-01.md"
    path.parent.mkdir()
    path.write_text("v\n", encoding="utf-8")
    commit(repo, "add")
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert last_commit_with(path) == (head, "versions/2027-01-01.md")
    path.unlink()
    commit(repo, "remove")
    assert last_commit_with(path) == (head, "versions/2027-01-01.md")
    assert last_commit_with(repo / "versions" / "never.md") is None


def test_a_folder_not_in_a_repository_fails_one_way(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "x.md").write_text("x", encoding="utf-8")
    wording = "has no git history to read: it is not in a git repository."
    for ask in (
        lambda: deleted_paths(folder),
        lambda: file_at_head(folder, "x.md"),
        lambda: commits_with(folder, "x.md"),
        lambda: last_commit_with(folder / "x.md"),
        lambda: check_history(folder),
        lambda: deleted_paths(tmp_path / "missing"),
    ):
        with pytest.raises(GitError, match=wording) as caught:
            ask()
        assert isinstance(caught.value, PolicySiteError)


def test_a_shallow_clone_says_so_where_older_commits_are_needed(tmp_path: Path) -> None:
    origin = repository(tmp_path / "origin")
    (origin / "a.md").write_text("a", encoding="utf-8")
    commit(origin, "one")
    (origin / "b.md").write_text("b", encoding="utf-8")
    commit(origin, "two")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "clone")
    clone = tmp_path / "clone"
    check_history(clone)  # HEAD is there
    assert file_at_head(clone, "a.md") == "a"
    with pytest.raises(GitError, match="has no git history to read: it is in a shallow clone"):
        check_history(clone, full=True)
    with pytest.raises(GitError, match="shallow clone"):
        last_commit_with(clone / "gone.md")


def _runs_git(call: ast.Call) -> bool:
    """A call of ``subprocess.<anything>`` with the string ``"git"`` anywhere in its arguments."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "subprocess"
    ):
        return False
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(
        isinstance(node, ast.Constant) and node.value == "git"
        for argument in arguments
        for node in ast.walk(argument)
    )


def test_no_other_module_runs_git() -> None:
    """One module runs git, so that every caller fails the same way when git cannot answer (cli.py
    and serve.py run other programs, which is fine)."""
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == SOURCE / "git.py":
            continue
        text = path.read_text(encoding="utf-8")
        calls = [node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call)]
        offenders += [f"{path.relative_to(SOURCE)}:{c.lineno}" for c in calls if _runs_git(c)]
        if "subprocess" in text and ('"git"' in text or "'git'" in text):
            offenders.append(f"{path.relative_to(SOURCE)}: uses subprocess and names git")
    assert offenders == [], f"only policy_site/git.py may run git: {offenders}"


def _call(source: str) -> ast.Call:
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)
    return call


def test_the_check_finds_a_call_of_git() -> None:
    assert _runs_git(_call('subprocess.run(["git", "log"], cwd=folder)'))
    assert _runs_git(_call('subprocess.Popen(args=("git", "show"))'))
    assert not _runs_git(_call('subprocess.run(["mkdocs", "build"])'))
