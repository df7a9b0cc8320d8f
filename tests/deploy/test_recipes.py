"""The deploy recipes: the Dockerfile, the compose file and the systemd unit.

They are read as text and checked against the project itself: the settings
they name are the settings the code reads, the commands they run are the
README's, and the files they name exist. The health check and the unit (with
``systemd-analyze verify``, where installed) are run for real; nothing here
builds an image or touches the network.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest

# PyYAML comes with the project (tokenizers needs huggingface_hub, which needs it);
# compose files are YAML, and reading them with a real parser is the point.
import yaml
from packaging.specifiers import SpecifierSet

from cli.main import build_parser
from tests.conftest import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
COMPOSE = PROJECT_ROOT / "deploy" / "compose.yaml"
UNIT = PROJECT_ROOT / "deploy" / "shared-services-bot.service"
SETTINGS_CODE = [PROJECT_ROOT / "run_bot.py"] + [
    path
    for package in ("knowledge", "bot", "cli")
    for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
]
VARIABLE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")


# --- what the project says ------------------------------------------------------------


def real_settings() -> set[str]:
    """Every setting ``.env.example`` documents, set or commented out.

    Derived rather than listed, so that a setting added or moved (to a core
    settings module, say) needs no change here.
    """
    keys = re.findall(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    return set(keys)


def env_example_value(key: str) -> str:
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.MULTILINE))
    return values[key].strip()


def readme_section(title: str) -> str:
    """The text of the README's ``## title`` section, up to the next ``## ``."""
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", markdown, re.DOTALL)


def steps(command: str) -> list[list[str]]:
    """The simple commands in ``command``, as tokens: lines and ``&&`` split, and a
    quoted script (``sh -c '…'``) opened up."""
    found: list[list[str]] = []
    for line in command.replace("\\\n", " ").splitlines():
        current: list[str] = []
        for token in shlex.split(line, comments=True):
            if token in ("&&", "||", ";", "|"):
                found.append(current)
                current = []
            elif " " in token and any(word in token for word in ("&&", "run_bot.py", "pip")):
                found.extend(steps(token))
            else:
                current.append(token)
        found.append(current)
    return [step for step in found if step]


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(token in remaining for token in needle)


def setup_steps() -> list[list[str]]:
    """The README's first command: make the venv, install, ask a question."""
    return steps(code_blocks(README.read_text())[0])


def run_command() -> list[str]:
    """The README's command that starts the bot, in its "Discord bot" section."""
    for block in code_blocks(readme_section("Discord bot")):
        for step in steps(block):
            if step[-2:] == ["run_bot.py", "run"]:
                return step
    raise AssertionError("the README's Discord bot section has no `run_bot.py run` command")


# --- the recipes, parsed ---------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def instruction(name: str) -> list[str]:
    return [arguments for keyword, arguments in dockerfile() if keyword == name]


def exec_form(arguments: str) -> list[str]:
    """A CMD or HEALTHCHECK's command, which must be the exec (JSON) form, so that
    no shell stands between Docker and the bot (and its stop signal)."""
    command = json.loads(arguments)
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def healthcheck() -> tuple[dict[str, str], list[str]]:
    (arguments,) = instruction("HEALTHCHECK")
    options = dict(re.findall(r"--([a-z-]+)=(\S+)", arguments))
    return options, exec_form(arguments[arguments.index("CMD") + len("CMD") :].strip())


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in instruction("ENV"):
        env.update(dict(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)", arguments)))
    return env


def volumes() -> list[PurePosixPath]:
    paths: list[PurePosixPath] = []
    for arguments in instruction("VOLUME"):
        listed = json.loads(arguments) if arguments.startswith("[") else arguments.split()
        paths += [PurePosixPath(path) for path in listed]
    return paths


def workdir() -> PurePosixPath:
    return PurePosixPath(instruction("WORKDIR")[-1])


def compose_service() -> dict[str, object]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert len(services) == 1, "one service: the bot"
    (service,) = services.values()
    return dict(service)


def compose_environment() -> dict[str, str]:
    environment = compose_service().get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    assert isinstance(environment, dict)
    return {str(key): str(value) for key, value in environment.items()}


def unit() -> dict[str, list[str]]:
    """The unit's ``Key=value`` lines, each key with its values in order."""
    entries: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if line.strip() and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def unit_value(key: str) -> str:
    values = unit().get(key)
    assert values, f"the unit sets no {key}="
    return values[-1]


def named_variables() -> set[str]:
    """Every environment variable a recipe names: set, or read as ``$NAME``/``${NAME}``."""
    names = set(dockerfile_env()) | set(compose_environment())
    names |= {value.partition("=")[0] for value in unit().get("Environment", [])}
    for recipe in (DOCKERFILE, COMPOSE, UNIT):
        names |= set(VARIABLE.findall(recipe.read_text()))
    return names


def inside(path: PurePosixPath, folders: list[PurePosixPath]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


# --- settings ----------------------------------------------------------------------------


def test_every_documented_setting_is_read_by_the_code() -> None:
    code = "\n".join(path.read_text() for path in SETTINGS_CODE)
    settings = real_settings()
    assert "DISCORD_TOKEN" in settings and "DATABASE_PATH" in settings
    assert sorted(key for key in settings if f'"{key}"' not in code) == []


def test_recipes_name_only_settings_that_exist() -> None:
    named = named_variables()
    assert "DATABASE_PATH" in named
    assert sorted(named - real_settings()) == []


def test_the_settings_recipes_name_are_documented_in_the_readme() -> None:
    table = readme_section("Settings")
    deploy = readme_section("Deploy")
    # Assignments (`-e NAME=…`, `NAME=…`) and names in backticks.
    in_deploy = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", deploy))
    in_deploy |= set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", deploy))
    assert sorted(in_deploy - real_settings()) == []
    assert sorted(name for name in named_variables() | in_deploy if f"`{name}`" not in table) == []


# --- Dockerfile ------------------------------------------------------------------------


def test_dockerfile_runs_as_a_dedicated_user() -> None:
    keywords = [keyword for keyword, _ in dockerfile()]
    user = instruction("USER")[-1].partition(":")[0]
    assert user not in ("root", "0")
    assert any(re.search(rf"useradd\b.*\s{re.escape(user)}$", run) for run in instruction("RUN"))
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert last_user < keywords.index("HEALTHCHECK") and last_user < keywords.index("CMD")


def test_dockerfile_keeps_the_database_on_a_volume() -> None:
    folders = volumes()
    assert folders
    assert inside(PurePosixPath(dockerfile_env()["DATABASE_PATH"]), folders)
    # `--env-file .env` copies .env.example's value over the image's: it must land there too.
    assert inside(workdir() / env_example_value("DATABASE_PATH"), folders)
    # A fresh named volume takes its owner from the image's folder: it must be the bot's.
    user = instruction("USER")[-1].partition(":")[0]
    creates = re.compile(rf"install -d -o {re.escape(user)}\b.*\s(\S+)$")
    created = {workdir() / m[1] for run in instruction("RUN") if (m := creates.search(run))}
    assert set(folders) <= created


def test_dockerfile_sets_up_and_runs_the_bot_as_the_readme_does() -> None:
    built = [step for run in instruction("RUN") for step in steps(run)]
    for step in setup_steps():
        assert any(is_subsequence(step, other) for other in built), step
    pip = next(step for step in built if "pip" in step[0] and "install" in step)
    if (PROJECT_ROOT / "constraints.txt").exists():
        assert is_subsequence(["-c", "constraints.txt"], pip)
    assert exec_form(instruction("CMD")[-1]) == run_command()
    assert instruction("STOPSIGNAL") == ["SIGINT"]


def test_dockerfile_names_only_files_that_exist() -> None:
    for arguments in instruction("COPY"):
        for source in arguments.split()[:-1]:
            if not source.startswith("--"):
                assert (PROJECT_ROOT / source).exists(), source
    commands = " ".join(instruction("RUN") + instruction("CMD") + instruction("HEALTHCHECK"))
    named = set(re.findall(r"(?<![\w/.-])([\w-]+(?:/[\w-]+)*\.(?:py|txt|toml|cfg))\b", commands))
    assert "run_bot.py" in named
    assert sorted(name for name in named if not (PROJECT_ROOT / name).exists()) == []


def test_dockerfile_python_meets_the_projects_requirement() -> None:
    (image,) = instruction("FROM")
    version = re.fullmatch(r"python:(\d+\.\d+)[\w.-]*", image)
    assert version, "a python:X.Y image"
    required = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert version[1] in SpecifierSet(required["requires-python"])


def test_dockerignore_keeps_secrets_databases_and_venvs_out() -> None:
    ignored = set(DOCKERIGNORE.read_text().split())
    assert {".env", ".venv", "data", "*.db", ".git"} <= ignored


# --- the health check ------------------------------------------------------------------


def run_healthcheck(database: Path) -> subprocess.CompletedProcess[str]:
    """The image's health check, run here: the venv's python is this one."""
    _, command = healthcheck()
    assert command[0] == run_command()[0], "the health check uses the venv's python"
    environment = {key: value for key, value in os.environ.items() if key not in real_settings()}
    return subprocess.run(
        [sys.executable, *command[1:]],
        cwd=PROJECT_ROOT,
        env={**environment, "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthcheck_is_a_real_command_with_sane_timings() -> None:
    options, command = healthcheck()
    arguments = command[command.index("run_bot.py") + 1 :]
    parsed = build_parser().parse_args(arguments)  # exits on an invented command
    assert parsed.command not in (None, "run")
    for option in ("interval", "timeout", "start-period"):
        assert re.fullmatch(r"\d+[sm]", options[option]), option


def test_healthcheck_passes_and_leaves_no_trace(tmp_path: Path) -> None:
    database = tmp_path / "knowledge.db"
    for _ in range(2):
        result = run_healthcheck(database)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as db:
        # Asking would count a question in the statistics reps see, or log one for them.
        assert db.execute("SELECT count(*) FROM question_events").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM unanswered").fetchone() == (0,)


def test_healthcheck_fails_on_a_broken_database(tmp_path: Path) -> None:
    database = tmp_path / "knowledge.db"
    database.write_bytes(b"not a database " * 1000)
    assert run_healthcheck(database).returncode != 0


# --- compose ---------------------------------------------------------------------------


def test_compose_builds_this_dockerfile_with_the_readmes_env_file() -> None:
    service = compose_service()
    build = service["build"]
    assert isinstance(build, dict)
    context = (COMPOSE.parent / build["context"]).resolve()
    assert context == PROJECT_ROOT.resolve()
    assert (context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE.resolve()
    env_files = service["env_file"]
    env_file = env_files if isinstance(env_files, str) else env_files[0]
    assert (COMPOSE.parent / env_file).resolve() == (PROJECT_ROOT / ".env").resolve()
    assert service.get("restart") in ("unless-stopped", "always", "on-failure")
    assert str(service.get("user", "bot")).partition(":")[0] not in ("root", "0")


def test_compose_keeps_the_database_on_a_named_volume() -> None:
    document = yaml.safe_load(COMPOSE.read_text())
    listed = compose_service()["volumes"]
    assert isinstance(listed, list)
    mounts = [str(volume).split(":") for volume in listed]
    named = {source: PurePosixPath(target) for source, target, *_ in mounts}
    assert set(named) <= set(document.get("volumes") or {}), "named volumes, declared"
    targets = list(named.values())
    assert set(volumes()) <= set(targets), "the image's volume is mounted"
    assert inside(PurePosixPath(compose_environment()["DATABASE_PATH"]), targets)


# --- systemd ---------------------------------------------------------------------------


def test_unit_runs_the_readme_command_as_a_dedicated_user() -> None:
    home = PurePosixPath(unit_value("WorkingDirectory"))
    assert unit_value("User") not in ("root", "0")
    assert unit_value("Restart") == "on-failure"
    assert PurePosixPath(unit_value("EnvironmentFile").lstrip("-")) == home / ".env"
    command = shlex.split(unit_value("ExecStart"))
    assert command == [str(home / run_command()[0]), *run_command()[1:]]
    assert (PROJECT_ROOT / command[1]).exists()


def test_unit_may_write_only_the_database_folder() -> None:
    home = PurePosixPath(unit_value("WorkingDirectory"))
    assert unit_value("NoNewPrivileges") == "yes"
    assert unit_value("ProtectSystem") == "strict"
    assert unit_value("PrivateTmp") == "yes"
    writable = [PurePosixPath(path) for path in unit_value("ReadWritePaths").split()]
    assert inside(home / env_example_value("DATABASE_PATH"), writable)


def verify_unit(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` on ``text`` installed into ``tmp_path``, with the
    venv's python, ``.env`` and data folder the README's steps make there."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    home = tmp_path / "install"
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (home / "data").mkdir()
    (home / ".env").write_text(ENV_EXAMPLE.read_text())
    installed = tmp_path / UNIT.name
    installed.write_text(text.replace(unit_value("WorkingDirectory"), str(home)))
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(installed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    result = verify_unit(UNIT.read_text(), tmp_path)
    # Unknown keys and bad values are only warnings to systemd: any output fails.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_systemd_analyze_would_catch_a_mistake(tmp_path: Path) -> None:
    mistaken = UNIT.read_text().replace("Restart=on-failure", "Restart=on-falure")
    result = verify_unit(mistaken, tmp_path)
    assert "on-falure" in result.stdout + result.stderr


# --- README ----------------------------------------------------------------------------


def test_readme_deploy_section_follows_the_bots_set_up() -> None:
    text = README.read_text()
    assert text.index("\n## Discord bot\n") < text.index("\n## Deploy\n")


def test_readme_deploy_steps_use_the_readme_commands_and_the_recipes() -> None:
    deploy = readme_section("Deploy")
    for path in set(re.findall(r"(?<![\w/])(deploy/[\w.-]+|Dockerfile|\.env\.example)", deploy)):
        assert (PROJECT_ROOT / path).exists(), path
    commands = [step for block in code_blocks(deploy) for step in steps(block)]
    for step in setup_steps():
        assert any(is_subsequence(step, command) for command in commands), step
    user, home = unit_value("User"), unit_value("WorkingDirectory")
    assert any("useradd" in command and command[-1] == user for command in commands)
    assert home in deploy
    # `docker run` and compose mount the same named volume at the image's volume.
    volume = str(volumes()[0])
    mounted = {token.split(":")[0] for c in commands for token in c if f":{volume}" in token}
    declared = yaml.safe_load(COMPOSE.read_text())["volumes"].values()
    assert mounted and mounted == {(options or {}).get("name") for options in declared}
