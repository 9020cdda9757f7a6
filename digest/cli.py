"""The command line: parse options, load config, call one function. No logic lives here."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from digest import __version__
from digest.errors import ConfigError, DigestError

if TYPE_CHECKING:
    from digest.check.gate import Gate
    from digest.config import Config

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ./digest.toml if present, else built-in defaults).",
)


def _config(config_path: Path | None, **overrides: Any) -> Config:
    # Lazily: loading the config costs pydantic-core and the [schedule] parsers, which
    # `--help` never needs.
    from digest.config import load_config

    return load_config(config_path, **overrides)


MANY_POSTS = 200  # a build of this many posts or more shows a progress bar (on a terminal)


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def _gate() -> Gate | None:
    """The pre-send gate `main(gate=…)` was given (None: all of `digest check`). Only a
    caller in Python can give one: tests/fast_digest.py, so CLI tests skip the slow tools."""
    gate: Gate | None = click.get_current_context().find_root().obj
    return gate


def _warn(line: str) -> None:
    if not _quiet():
        click.echo(f"digest: warning: {line}", err=True)


class _BuildBar:
    """The build's stages as a progress bar on stderr: only on a terminal, only when not -q,
    only for many posts (a small build is over before a bar would be read)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int, posts: int) -> None:
        if self.bar is None:
            if _quiet() or posts < MANY_POSTS or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.__enter__()
        self.bar.label = f"building ({stage}, {posts} posts)"
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.__exit__(None, None, None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
@click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv: debugging).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bars.")
def cli(verbose: int, quiet: bool) -> None:
    """Turn roundups, feeds and JSON exports into a trustworthy email digest."""
    # The package's own log lines ("read 21 posts, 21 new") go to stderr at the level asked
    # for; the result a command prints (an edition's folder, a summary line) is not logging.
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(
        verbose, logging.DEBUG)
    logger = logging.getLogger("digest")
    for old in [h for h in logger.handlers if getattr(h, "digest_cli", False)]:
        logger.removeHandler(old)  # one run's stderr, not a closed one of a run before
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("digest: %(message)s"))
    handler.digest_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for editions (default: outbox/).")
@click.option("--highlights", type=int, help="How many posts to highlight (default 8).")
@click.option("--date", "edition_date", metavar="YYYY-MM-DD",
              help="Edition date (default: the newest post's date).")
@click.option("--all", "every_post", is_flag=True,
              help="Take every post, also those an earlier edition carried and feed items "
              "older than [build] max_age.")
@CONFIG_OPTION
def build(sources: tuple[str, ...], outbox: Path | None, highlights: int | None,
          edition_date: str | None, every_post: bool, config_path: Path | None) -> None:
    """Build an edition from SOURCE files, folders or URLs (default: seeds/).

    Only what is new goes in: no post an earlier edition in the outbox carried,
    no feed item older than [build] max_age days (7) before the edition date.
    """
    from digest.pipeline import build_edition  # lazily: each command loads only its own stage

    config = _config(config_path, **{"build.outbox": str(outbox) if outbox else None,
                                     "build.highlights": highlights})
    folder = build_edition(config, list(sources), edition_date=edition_date, warn=_warn,
                           every_post=every_post, progress=_BuildBar())
    click.echo(str(folder))


@cli.command()
@click.argument("edition_dir", required=False, type=click.Path(path_type=Path))
@click.option("--to", "to", type=click.Path(dir_okay=False), help="Recipients CSV (email,name,…).")
@click.option("--smtp", help="smtp://host:port, smtps://host:port or smtp+starttls://host:port.")
@click.option("--from", "from_", help="From address (default from config).")
@click.option("--rate", type=float, help="Messages per second (0: no throttle).")
@click.option("--dry-run", is_flag=True,
              help="Write each recipient's .eml into EDITION_DIR/dry-run/ instead of sending.")
@click.option("--due", is_flag=True, help="For system cron: build and send the [schedule] "
              "slot that is due and not yet sent; else do nothing.")
@click.option("--force", is_flag=True, help="Send even if `digest check` fails.")
@click.option("--resend-unconfirmed", is_flag=True, help="Send the unconfirmed messages "
              "(end of data sent, no reply came) again in this run.")
@click.option("--list", "list_", type=click.Choice(["unconfirmed"]), help="List the "
              "unconfirmed messages (of EDITION_DIR, or all): edition, recipient, when; send "
              "nothing.")
@CONFIG_OPTION
def send(edition_dir: Path | None, to: str | None, smtp: str | None, from_: str | None,
         rate: float | None, dry_run: bool, due: bool, force: bool, resend_unconfirmed: bool,
         list_: str | None, config_path: Path | None) -> None:
    """Send an edition (default: the newest in the outbox) to every recipient, once.

    \b
    A ledger (outbox/ledger.sqlite, or [send] ledger) records every delivery, so a
    rerun, after a crash or a 4xx reply, sends only what is still missing.
    `digest check` runs first; a failing edition is not sent unless --force.
    SMTP AUTH: the user goes in the URL (smtp://USER@host:587) or [send] username;
    the password only in the environment variable DIGEST_SMTP_PASSWORD.
    --to, --smtp, --rate and --from can also be set in digest.toml
    ([send] to, smtp, rate; [email] from).

    \b
    The last line is "sent N, failed N, retrying N, unconfirmed N" (--due: a log
    line per slot). Unconfirmed: the end of data left, no reply came; never
    counted as sent, held unless [send] unconfirmed = "resend".
    Exit code: 0 all sent; 1 some failed, wait for a retry, are unconfirmed, or
    the server could not be reached; 2 bad input (edition, recipient list,
    settings or password).
    """
    config = _config(config_path, **{"send.to": to, "send.smtp": smtp, "email.from": from_,
                                     "send.rate": rate})
    if list_ is not None:
        from digest.deliver.command import list_command  # lazily, as below

        sys.exit(list_command(config, list_, edition_dir))
    if due:
        if resend_unconfirmed:
            raise ConfigError("--resend-unconfirmed is for `digest send [EDITION_DIR]`; a "
                              "scheduled run follows [send] unconfirmed", where="command line")
        if edition_dir is not None or dry_run:
            what = "EDITION_DIR" if edition_dir is not None else "--dry-run"
            raise ConfigError(f"--due builds and sends the due slot's own edition; {what} does "
                              "not apply to it", where="command line")
        from digest.schedule.run import run_due  # lazily, as above: cron calls this every minute

        sys.exit(run_due(config, gate=_gate()))
    from digest.deliver.command import send_command  # lazily, as above

    sys.exit(send_command(config, edition_dir, dry_run=dry_run, force=force, quiet=_quiet(),
                          gate=_gate(), resend_unconfirmed=resend_unconfirmed))


@cli.command()
@click.option("--next", "next_n", type=int, metavar="N",
              help="Print the next N slot times (in the configured time zone) and exit.")
@click.option("--crontab", is_flag=True,
              help="Print a crontab line that runs `digest send --due` every minute, and exit.")
@CONFIG_OPTION
def schedule(next_n: int | None, crontab: bool, config_path: Path | None) -> None:
    """Run the schedule in the foreground: build and send an edition at every slot.

    \b
    [schedule] cron (five fields, in [schedule] timezone) gives the slots; a slot
    missed while down is still sent if at most [schedule] max_late late, else
    logged as missed. Each slot is sent once, even with several schedulers or
    system cron (--crontab) on the same ledger. Sending needs [send] to and
    [send] smtp; an SMTP AUTH password comes from DIGEST_SMTP_PASSWORD.
    Exit code: 0 (stopped by Ctrl-C or SIGTERM), 2 bad config.
    """
    from digest.schedule.command import schedule_command  # lazily, as above

    config = _config(config_path)
    sys.exit(schedule_command(config, next_n=next_n, crontab=crontab, gate=_gate()))


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--port", type=int, help="Port on 127.0.0.1 (default 8000).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@CONFIG_OPTION
def preview(sources: tuple[str, ...], port: int | None, open_browser: bool,
            config_path: Path | None) -> None:
    """Serve a live preview of the edition; rebuilds when templates, sources or config change."""
    from digest.preview import preview_command  # lazily, as above

    config = _config(config_path, **{"preview.port": port})
    preview_command(config, list(sources), open_browser=open_browser)


@cli.command()
@click.argument("edition_dir", required=False, type=click.Path(path_type=Path))
@CONFIG_OPTION
def check(edition_dir: Path | None, config_path: Path | None) -> None:
    """Check an edition (default: the newest) for size, links, headers, spam and client support.

    Prints one line per check and a summary; exit code 0 when none fails, 1 if any
    fails, 2 if EDITION_DIR is not an edition.
    SpamAssassin runs offline when installed; client support uses npm caniemail from
    $DIGEST_NODE_DIR (default: the repository's tests/node). A missing tool is "skipped".
    """
    from digest.check.gate import check_command  # lazily, as above

    config = _config(config_path)
    sys.exit(check_command(config, edition_dir))


@cli.command()
@click.argument("folder", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Start a working FOLDER (default: here): a commented digest.toml and a copy of the
    built-in templates/ to edit. Nothing is overwritten."""
    from digest.publish.init import init_folder  # lazily, as above

    for path in init_folder(folder):
        click.echo(str(path))


def main(gate: Gate | None = None) -> None:
    try:
        cli.main(standalone_mode=False, obj=gate)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        # One line, like every other user mistake; the usage block is one --help away.
        where = exc.ctx.command_path if exc.ctx else "digest"
        click.echo(f"digest: error: {exc.format_message()} (see '{where} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"digest: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("digest: aborted", err=True)
        sys.exit(130)
    except DigestError as exc:
        click.echo(f"digest: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("digest: interrupted", err=True)
        sys.exit(130)


def run() -> None:
    """The `digest` command and `python -m digest`: main(), then a quick exit.

    Once the command is done, every object still alive is frozen (gc.freeze), so the
    interpreter's last collections at exit skip them: a build leaves some 100,000 objects
    (premailer's cssutils, lxml, Jinja), and walking them cost 40-50 ms of each run, a tenth
    of a seed build. Nothing is lost: files are written and closed by then, atexit handlers
    (logging's flush) still run, and what a cycle would have held is freed by the OS. Only
    here, not in main(): a process that calls main() and carries on (the tests) keeps its GC.
    """
    try:
        main()
    finally:
        gc.freeze()

