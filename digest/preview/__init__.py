"""`digest preview`: the config and the sources in, the edition as a recipient sees it out,
on a local web page rebuilt live while you edit.

Like `mkdocs serve`: a small stdlib server on 127.0.0.1 (server.py, its page, script and style
in assets/), a watcher on the templates, the sources and the config, and one build thread
through the pipeline (engine.py). Pages reload themselves through server-sent events; a failed
rebuild is shown in the page over the last good edition.
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

from digest.config import Config
from digest.preview.engine import PipelineBuilder, PreviewState, Snapshot, watch_loop
from digest.preview.server import PreviewServer, clean_path

__all__ = ["LivePreview", "Snapshot", "clean_path", "preview_command"]


class LivePreview:
    """The build thread, the watcher and the server together; start() and stop() them."""

    def __init__(self, config: Config, sources: list[str], port: int) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="digest-preview-"))
        self.builder = PipelineBuilder(config, sources, self.workdir)
        self.state = PreviewState(self.builder)
        self._stop = threading.Event()
        self._watching = threading.Event()
        try:
            self.server = PreviewServer(self.state, port)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.url = self.server.url
        self._threads = [
            threading.Thread(target=self.state.run, name="preview-build", daemon=True),
            threading.Thread(target=watch_loop, name="preview-watch", daemon=True,
                             args=(self.builder.watch_paths, self._changed, self._stop,
                                   self._watch_ready)),
            threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                             name="preview-http", daemon=True)]

    def _changed(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        print(f"digest preview: changed {shown}; rebuilding", file=sys.stderr, flush=True)
        self.state.request()

    def _watch_ready(self) -> None:
        if self._watching.is_set():
            self.state.request()  # a restarted watch: rebuild what a save in the gap changed
        self._watching.set()

    def start(self) -> None:
        """Watch first, then build: a save between the first build's reads and the watch
        starting would otherwise go unseen."""
        build, watcher, http = self._threads
        watcher.start()
        self._watching.wait(10)
        build.start()
        http.start()

    def wait(self) -> None:
        while self._threads[2].is_alive():
            self._threads[2].join(0.5)

    def stop(self) -> None:
        self._stop.set()
        self.state.close()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(5)
        shutil.rmtree(self.workdir, ignore_errors=True)


def preview_command(config: Config, sources: list[str], open_browser: bool = False) -> None:
    """Serve the live preview on 127.0.0.1:config.preview.port until Ctrl-C."""
    preview = LivePreview(config, sources, config.preview.port)
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C stops the server even when started from a shell that ignores SIGINT in
        # background jobs, and `kill` stops it as cleanly.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
    preview.start()
    print(f"digest preview: serving {preview.url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(preview.url)
    try:
        preview.wait()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    print("digest preview: stopped", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
