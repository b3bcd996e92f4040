"""`make run`: the whole product on this machine, in one command and one process group.

Migrates the database and loads the demo data, then runs the web server, the task worker
(emails, exports) and the periodic jobs (offer expiry, free seats, reminders) side by side until
Ctrl-C, a stop signal, or one of them exiting; then it stops the others, so nothing is left.

Debugging is off unless DEBUG says otherwise (in the environment or `.env`): the demo runs with
DEMO=1 (plain HTTP on 127.0.0.1, see backend/settings.py) and a secret key made once into
`var/secret_key` (or SECRET_KEY_FILE) and reused. DATABASE_URL and PORT work as everywhere.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import FrameType

from dotenv import load_dotenv

from backend.env import TRUE_WORDS

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, "manage.py"]
# How long the others get to finish what they are doing (a request, a task) before being killed.
STOP_GRACE_SECONDS = 10
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def secret_key(path: Path) -> str:
    """The demo's secret key: made on the first run, read back on every later one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Readable by its owner alone; O_EXCL so that two first runs cannot both write one.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def demo_environment(environ: Mapping[str, str], secret_file: Path) -> dict[str, str]:
    """The children's environment: what the developer set wins; the rest is the demo's."""
    env = dict(environ)
    port = env.setdefault("PORT", "8000")
    env.setdefault("DEBUG", "0")
    env.setdefault("DEMO", "1")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secret_key(secret_file)
    env["PYTHONUNBUFFERED"] = "1"  # emails and logs appear as they happen
    return env


def commands(port: str) -> dict[str, list[str]]:
    """The three long-running processes; none reloads itself, so each is exactly one process."""
    return {
        "web server": [*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"],
        "task worker": [*MANAGE, "db_worker", "--no-reload"],
        "periodic jobs": [*MANAGE, "periodic", "--every", "60"],
    }


def prepare(env: dict[str, str], *, debug_chosen: bool) -> None:
    """Migrate and load the demo data (both idempotent)."""
    subprocess.run([*MANAGE, "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True)
    # seed_demo refuses DEBUG=0 so that demo passwords never reach production. The launcher's own
    # debug-off default is this machine's demo, so the data loads in development mode; someone
    # who set DEBUG=0 themselves still meets the refusal.
    seed_env = env if debug_chosen else {**env, "DEBUG": "1"}
    subprocess.run([*MANAGE, "seed_demo"], cwd=BASE_DIR, env=seed_env, check=True)


def serve(env: dict[str, str], banner: str) -> int:
    """Run the three processes until a stop signal or until one exits; then stop them all."""
    stop_requested: list[int] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.append(signum)

    # Before the first child starts, so that no signal can leave one behind.
    for signum in STOP_SIGNALS:
        signal.signal(signum, request_stop)
    children: dict[str, subprocess.Popen[bytes]] = {}
    status = 0
    try:
        for name, command in commands(env["PORT"]).items():
            children[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env)
        print(banner, flush=True)
        while not stop_requested:
            exited = [name for name, child in children.items() if child.poll() is not None]
            if exited:
                code = children[exited[0]].returncode
                print(f"The {exited[0]} stopped (exit status {code}); stopping the others.")
                status = code or 1
                break
            time.sleep(0.2)
    finally:
        stop(children.values())
    print("Pathway has stopped: the web server, the task worker and the periodic jobs.")
    return status


def stop(children: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each child still running; SIGKILL to any still there after the grace period."""
    running = [child for child in children if child.poll() is None]
    for child in running:
        child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in running:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def describe(env: dict[str, str], secret_file: Path | None) -> str:
    """What `make run` prints once everything has started."""
    if env["DEBUG"].strip().lower() in TRUE_WORDS:
        debug = "Debugging is on (DEBUG=1)."
    else:
        debug = "Debugging is off; `DEBUG=1 make run` turns it on."
    secret = ""
    if secret_file is not None:
        shown = (
            secret_file.relative_to(BASE_DIR)
            if secret_file.is_relative_to(BASE_DIR)
            else secret_file
        )
        secret = f" The secret key is kept in {shown}."
    return (
        f"\nPathway runs at {env['SITE_URL']}/ with its task worker (emails print here, exports "
        f"finish) and its periodic jobs (every minute). Ctrl-C stops all three.\n{debug}{secret}\n"
    )


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # subprocess.run then kills the step it was waiting for


def main() -> int:
    # While preparing, any stop signal ends the current step and the launcher at once (also
    # SIGINT when it was started with SIGINT ignored, as a shell's background job is).
    for signum in STOP_SIGNALS:
        signal.signal(signum, interrupt)
    # `.env` holds the developer's own choices; it never overrides the environment.
    load_dotenv(BASE_DIR / ".env")
    secret_file = Path(os.environ.get("SECRET_KEY_FILE", BASE_DIR / "var" / "secret_key"))
    env = demo_environment(os.environ, secret_file)
    try:
        prepare(env, debug_chosen="DEBUG" in os.environ)
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    except KeyboardInterrupt:
        return 130
    generated = None if os.environ.get("SECRET_KEY") else secret_file.resolve()
    return serve(env, describe(env, generated))


if __name__ == "__main__":
    sys.exit(main())
