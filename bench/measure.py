"""Small measuring helpers: percentiles, memory from /proc, child processes with their rusage."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def summary_ms(seconds: list[float] | np.ndarray) -> dict[str, float | int]:
    """p50/p95/p99/mean/max in milliseconds of a list of durations in seconds."""
    values = np.asarray(seconds, dtype=np.float64) * 1000.0
    if len(values) == 0:
        return {"n": 0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "n": int(len(values)),
        "p50_ms": round(float(p50), 3),
        "p95_ms": round(float(p95), 3),
        "p99_ms": round(float(p99), 3),
        "mean_ms": round(float(values.mean()), 3),
        "max_ms": round(float(values.max()), 3),
    }


def proc_status_mb(field: str = "VmRSS", pid: int | str = "self") -> float | None:
    """A memory field of /proc/<pid>/status (VmRSS, VmHWM) in MB, None if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def growth_exponent(sizes: list[int], values: list[float]) -> list[float | None]:
    """Local slope of log(value) against log(size) between consecutive sizes (1.0 = linear)."""
    out: list[float | None] = []
    for (n1, v1), (n2, v2) in zip(zip(sizes, values, strict=True),
                                  zip(sizes[1:], values[1:], strict=True), strict=False):
        if v1 and v2 and v1 > 0 and v2 > 0 and n2 != n1:
            out.append(round(float(np.log(v2 / v1) / np.log(n2 / n1)), 2))
        else:
            out.append(None)
    return out


def crossing(sizes: list[int], values: list[float], limit: float) -> float | None:
    """Size where `values` first exceeds `limit`, interpolated on log-log axes; None if never."""
    previous: tuple[int, float] | None = None
    for n, v in zip(sizes, values, strict=True):
        if v > limit:
            if previous is None or previous[1] <= 0:
                return float(n)
            n0, v0 = previous
            frac = (np.log(limit) - np.log(v0)) / (np.log(v) - np.log(v0))
            return round(float(np.exp(np.log(n0) + frac * (np.log(n) - np.log(n0)))), -2)
        previous = (n, v)
    return None


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


# Prepended to a child's `python -c` code: it reports its own peak RSS (VmHWM) on exit. The
# rusage of a child is no good here: it counts the parent's pages the child had before exec.
PEAK_PRELUDE = (
    "import atexit, sys\n"
    "def _owner_bot_bench_peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('BENCH_VMHWM_KB ' + line.split()[1] + '\\n')\n"
    "atexit.register(_owner_bot_bench_peak)\n"
)


def reported_peak_mb(stderr: str) -> float | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith("BENCH_VMHWM_KB "):
            return round(int(line.split()[1]) / 1024, 1)
    return None


@dataclass
class ChildRun:
    first_line_s: float | None  # from process start to its first line on stdout
    total_s: float
    max_rss_mb: float | None  # the child's own peak RSS, if it reported it (PEAK_PRELUDE)
    returncode: int
    stdout: str
    stderr: str


def run_child(args: list[str], env: dict[str, str], stdin: str | None = None,
              timeout: float = 600.0) -> ChildRun:
    """Run a child process; time its first stdout line; its peak RSS if it reports it."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, cwd=str(REPO), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, text=True,
                                encoding="utf-8")
        watchdog = threading.Timer(timeout, proc.kill)  # a hung child cannot hang the bench
        watchdog.start()
        try:
            assert proc.stdin and proc.stdout
            if stdin is not None:
                proc.stdin.write(stdin)
            proc.stdin.close()
            first = proc.stdout.readline()
            first_at = time.perf_counter() - start if first else None
            rest = proc.stdout.read()
            proc.wait()
            total = time.perf_counter() - start
        finally:
            watchdog.cancel()
        err.seek(0)
        stderr = err.read()
        return ChildRun(first_at, total, reported_peak_mb(stderr), proc.returncode,
                        first + rest, stderr)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, object]:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info: dict[str, object] = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gib": mem,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    for env_name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        if os.environ.get(env_name):
            info[env_name] = os.environ[env_name]
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ]
    except ImportError:  # pragma: no cover - it is a dependency
        pass
    return info


def python() -> str:
    return sys.executable
