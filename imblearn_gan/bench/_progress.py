"""A dependency-free progress bar on stderr with an ETA."""

import sys
import time


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressBar:
    """``total`` steps; ``update(label)`` after each. On a terminal the bar
    redraws in place; otherwise (a log file) a line is printed every 5%."""

    def __init__(self, total, stream=None, width=28):
        self.total, self.done, self.width = max(int(total), 1), 0, width
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self._next_line = 0

    def line(self, label=""):
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        return (f"[{bar}] {self.done}/{self.total} {100 * self.done / self.total:3.0f}% "
                f"{_clock(elapsed)} elapsed, ETA {_clock(eta)}  {label}")

    def update(self, label=""):
        self.done += 1
        if self.live:
            self.stream.write("\r" + self.line(label)[:150].ljust(150))
        elif self.done >= self._next_line or self.done == self.total:
            self.stream.write(self.line(label) + "\n")
            self._next_line = self.done + max(1, self.total // 20)
        self.stream.flush()

    def close(self):
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
