"""Checks that run an external tool: SpamAssassin, and Node with caniemail's data.

A missing tool gives "skipped: <tool> not installed", never a silent pass. A tool that is
installed but breaks gives a warning naming the error: it says nothing about the email.

The Node tools live in the folder named by the environment variable DIGEST_NODE_DIR, else in
the repository's tests/node (where `npm ci` installs the versions pinned in its package.json).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from digest.check.mail import CheckResult, Mail
from digest.config import Config

NODE_DIR_ENV = "DIGEST_NODE_DIR"
CANIEMAIL_SCRIPT = Path(__file__).with_name("caniemail.mjs")
TIMEOUT = 120  # seconds; SpamAssassin takes about one on a digest, Node less

# Offline and stateless: -L runs local tests only (no DNS or network lookups); no Bayes,
# auto-learning or reputation database, whose state would make the score drift between runs;
# an empty user preferences file so one user's settings do not change the result.
SPAMASSASSIN_ARGS = ("-t", "-L", "-x", "-p", os.devnull, "--cf=use_bayes 0",
                     "--cf=bayes_auto_learn 0", "--cf=use_txrep 0")
_SPAM_STATUS = re.compile(r"score=(-?\d+(?:\.\d+)?)\s+required=(-?\d+(?:\.\d+)?)")
_RULE_ROW = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s", re.MULTILINE)

FEATURES_SHOWN = 5  # per client family, so the report stays one readable line
FAMILIES = {  # caniemail's client family → the name a reader knows
    "gmail": "Gmail", "outlook": "Outlook", "apple-mail": "Apple Mail", "yahoo": "Yahoo",
    "samsung-email": "Samsung Email",
}


def _run(argv: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT, check=False)


def _tool_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit code {proc.returncode}"


def spam_score(raw: bytes) -> tuple[float, float, list[tuple[str, float]]] | None:
    """(score, SpamAssassin's own threshold, [(rule, points), ...]) or None if not installed."""
    exe = shutil.which("spamassassin")
    if exe is None:
        return None
    proc = _run([exe, *SPAMASSASSIN_ARGS], raw)
    out = proc.stdout.decode("utf-8", "replace")
    head = out.split("\n\n", 1)[0].replace("\n\t", " ").replace("\n ", " ")
    status = next((line for line in head.splitlines() if line.startswith("X-Spam-Status:")), "")
    match = _SPAM_STATUS.search(status)
    if match is None:
        raise RuntimeError(f"spamassassin gave no score: {_tool_error(proc)}")
    # The -t report ends with a table "pts rule name description" of the rules that hit.
    table = out.rsplit("pts rule name", 1)[1] if "pts rule name" in out else ""
    rules = [(name, float(points)) for points, name in _RULE_ROW.findall(table)]
    return float(match.group(1)), float(match.group(2)), rules


def check_spam(mail: Mail, config: Config) -> CheckResult:
    threshold = config.check.spam_threshold
    try:
        result = spam_score(mail.raw)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult("spam", "warn", f"spamassassin failed: {exc}")
    if result is None:
        return CheckResult("spam", "skipped", "skipped: spamassassin not installed")
    score, _, rules = result
    scoring = sorted((r for r in rules if r[1] != 0), key=lambda r: -abs(r[1]))
    hits = ", ".join(f"{name} {points:+g}" for name, points in scoring[:5]) or "no scoring rule"
    detail = f"SpamAssassin score {score:g} (fails at {threshold:g}): {hits}"
    return CheckResult("spam", "fail" if score >= threshold else "pass", detail)


def node_dir() -> Path:
    """Where node_modules with caniemail (and the test tools) is looked for: DIGEST_NODE_DIR;
    else the first of the repository's tests/node (a checkout), the working folder (`npm
    install caniemail` beside digest.toml, for an installed wheel, which has no tests/) and
    npm's global folder (`npm install -g caniemail`) that holds caniemail."""
    configured = os.environ.get(NODE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "tests" / "node"
    for folder in (checkout, Path.cwd(), _npm_global()):
        if folder is not None and _has_caniemail(folder):
            return folder
    return checkout


def _has_caniemail(folder: Path) -> bool:
    return (folder / "node_modules" / "caniemail" / "package.json").is_file()


def _npm_global() -> Path | None:
    """The folder whose node_modules is npm's global one (/usr/lib for /usr/lib/node_modules)."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        proc = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    root = Path(proc.stdout.strip())
    return root.parent if proc.returncode == 0 and root.name == "node_modules" else None


def client_support(html: str) -> dict[str, Any] | None:
    """caniemail's verdict on `html` for the major clients, or None if Node or caniemail is
    missing. Keys: "data" (the data's date), "clients", "unsupported" and "partial"
    ({client: [feature, ...]})."""
    node, folder = shutil.which("node"), node_dir()
    if node is None or not _has_caniemail(folder):
        return None
    proc = _run([node, str(CANIEMAIL_SCRIPT), str(folder)], html.encode("utf-8"))
    if proc.returncode != 0:
        raise RuntimeError(f"node {CANIEMAIL_SCRIPT.name}: {_tool_error(proc)}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _by_family(per_client: dict[str, list[str]], clients: list[str]) -> str:
    """"Outlook: @media (windows, windows-mail), display:flex (windows); Gmail: …"."""
    parts = []
    for family, name in FAMILIES.items():
        platforms = [c.split(".", 1)[1] for c in clients if c.split(".", 1)[0] == family]
        where: dict[str, list[str]] = defaultdict(list)
        for client, features in sorted(per_client.items()):
            fam, _, platform = client.partition(".")
            if fam == family:
                for feature in features:
                    where[feature].append(platform)
        # The features most of the family lacks first; the long tail is counted, not listed.
        ranked = sorted(where.items(), key=lambda item: (-len(item[1]), item[0].lower()))
        named = [feature if sorted(on) == sorted(platforms) else f"{feature} ({', '.join(on)})"
                 for feature, on in ranked[:FEATURES_SHOWN]]
        if len(ranked) > FEATURES_SHOWN:
            named.append(f"{len(ranked) - FEATURES_SHOWN} more")
        if named:
            parts.append(f"{name}: " + ", ".join(named))
    return "; ".join(parts)


def check_clients(mail: Mail, config: Config) -> CheckResult:
    """Features of the HTML and CSS that major clients do not support (warnings, by design:
    MJML's output uses @media and <style> on purpose, with inline fallbacks)."""
    name = "client support"
    if not mail.html:
        return CheckResult(name, "fail", "no text/html part")
    if shutil.which("node") is None:
        return CheckResult(name, "skipped", "skipped: node not installed")
    try:
        support = client_support(mail.html)
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
        return CheckResult(name, "warn", f"caniemail failed: {exc}")
    if support is None:
        return CheckResult(name, "skipped", f"skipped: caniemail not installed (npm ci in "
                           f"{node_dir()}, npm install caniemail here, or set {NODE_DIR_ENV})")
    failed: dict[str, str] = support.get("failed", {})
    clients = [c for c in support["clients"] if c not in failed]
    unsupported = {c: f for c, f in support["unsupported"].items() if f}
    partial = sum(len(f) for f in support["partial"].values())
    note = f" ({partial} partly supported)" if partial else ""
    unchecked = (f"; caniemail could not check {', '.join(sorted(failed))}: "
                 f"{next(iter(failed.values()))}" if failed else "")
    if unsupported:
        return CheckResult(name, "warn", f"unsupported{note}: "
                           f"{_by_family(unsupported, clients)}{unchecked}")
    if failed:
        return CheckResult(name, "warn", f"every feature supported by {len(clients)} clients"
                           f"{note}{unchecked}")
    return CheckResult(name, "pass", f"every feature supported by {len(clients)} clients{note}")
