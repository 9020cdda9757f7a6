"""The official MJML CLI (npm's `mjml`), installed by the bench into bench/node/.

bench/node/package.json pins the version; `npm install` puts it in bench/node/node_modules
(ignored by git). Nothing global is touched. Without node or npm, or with no registry, the
bench says why instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
CLI = NODE_DIR / "node_modules" / "mjml" / "bin" / "mjml"


def mjml_cli(*, install: bool = True) -> tuple[list[str] | None, str]:
    """The command that runs the MJML CLI (None if there is none) and how it came to be."""
    node = shutil.which("node")
    if node is None:
        return None, "no node on PATH"
    if not CLI.is_file():
        if not install:
            return None, "not installed (bench/node), and this run installs nothing"
        npm = shutil.which("npm")
        if npm is None:
            return None, "no npm on PATH"
        try:
            subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock",
                            "--loglevel=error"], cwd=NODE_DIR, check=True, timeout=600,
                           capture_output=True, text=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            return None, f"npm install failed: {detail.strip().splitlines()[-1:] or exc}"
        if not CLI.is_file():
            return None, "npm install left no mjml CLI"
    version = subprocess.run([node, str(CLI), "--version"], capture_output=True, text=True,
                             check=False).stdout.split()
    return [node, str(CLI)], f"mjml {version[-1] if version else '?'} from npm, in bench/node"


def npx_mjml() -> list[str] | None:
    """The same CLI through npx (npm's runner, which adds npm's own start-up)."""
    npx = shutil.which("npx")
    return [npx, "--no-install", "mjml"] if npx and CLI.is_file() else None
