#!/usr/bin/env python3
"""Start-up benchmark: ketaminfo against `tldr --version`, as ratios.

    pip install . tldr          # ketaminfo and the tldr client, in one environment
    python bench/startup.py     # --runs N, --ketaminfo PATH, --tldr PATH

Uses hyperfine when it is installed (each group of commands measured side by
side, in three rounds that each start with a different command), else
interleaved subprocess runs; reports medians of all runs. Also builds
a synthetic knowledge base 100 times the bundled one (in a temporary folder)
to measure lookups and search at scale and their peak memory, and times the
first run after install with an empty cache.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="runs per command (default 30)")
    parser.add_argument("--ketaminfo", default=shutil.which("ketaminfo"), help="the ketaminfo command to time")
    parser.add_argument("--tldr", default=shutil.which("tldr"), help="the tldr client (pip install tldr)")
    parser.add_argument("--scale", type=int, default=100, help="size of the synthetic knowledge base (x bundled)")
    args = parser.parse_args()
    if not args.ketaminfo or not args.tldr:
        print("Needs ketaminfo and the tldr client on PATH (or --ketaminfo/--tldr): pip install . tldr", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="ketaminfo-bench-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    k, tldr = args.ketaminfo, args.tldr
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("KETAMINFO", "FORCE_COLOR", "NO_COLOR"))}
    base_env["XDG_CACHE_HOME"] = str(work / "cache")
    timer = "hyperfine" if shutil.which("hyperfine") else "subprocess"
    print(f"ketaminfo: {k}\ntldr: {tldr}\ntimer: {timer}, {args.runs} runs each, medians\n")

    complete_env = {"_KETAMINFO_COMPLETE": "bash", "COMP_WORDS": "ketaminfo topic ", "COMP_CWORD": "2"}
    cases = [
        ("tldr --version (baseline)", [tldr, "--version"], {}, None),
        ("topic mechanism, styled (FORCE_COLOR=1)", [k, "topic", "mechanism"], {"FORCE_COLOR": "1"}, 1.2),
        ("topic mechanism --format json", [k, "topic", "mechanism", "--format", "json"], {}, 1.0),
        ("TAB completion of topic names", [k], complete_env, 1.0),
        ("search nmda", [k, "search", "nmda"], {}, 1.3),
        ("ask is ketamine addictive", [k, *ASK], {}, None),
    ]
    subprocess.run([k, "topic", "mechanism"], env=base_env, capture_output=True)  # warm the cache
    times = measure([(cmd, {**base_env, **env}) for _, cmd, env, _ in cases], args.runs)
    baseline = times[0]
    rows = [(name, t, t / baseline, target) for (name, _, _, target), t in zip(cases, times)]
    print_table("Start-up, warm cache (ratio to tldr --version)", rows)
    search_t, ask_t = times[4], times[5]
    print_table("ask against search (ratio to search nmda)", [("ask is ketamine addictive", ask_t, ask_t / search_t, 1.1)])

    # First run after install: an empty cache every time.
    cold = []
    for n in range(max(5, args.runs // 5)):
        env = {**base_env, "XDG_CACHE_HOME": str(work / f"cold-{n}")}
        cold.append(time_once([k, "topic", "mechanism"], env))
    print_table("First run after install (empty cache)", [("topic mechanism, cold", statistics.median(cold), statistics.median(cold) / baseline, None)])

    # Scale: a synthetic knowledge base many times the bundled one.
    data = work / "synthetic"
    count = build_synthetic(data, args.scale)
    big_env = {**base_env, "KETAMINFO_DATA": str(data)}
    started = time.perf_counter()
    subprocess.run([k, "topic", "mechanism-c0", "--format", "json"], env=big_env, capture_output=True)
    first = (time.perf_counter() - started) * 1000
    pairs = [
        ("warm lookup", [k, "topic", "mechanism-c7", "--format", "json"], [k, "topic", "mechanism", "--format", "json"], 1.2),
        ("search nmda", [k, "search", "nmda"], [k, "search", "nmda"], 1.5),
        ("ask is ketamine addictive", [k, *ASK], [k, *ASK], 1.5),
    ]
    commands = []
    for _, big, small, _ in pairs:
        commands += [(small, base_env), (big, big_env)]
    measured = measure(commands, args.runs)
    rows = []
    for n, (name, big, _, target) in enumerate(pairs):
        small_t, big_t = measured[2 * n], measured[2 * n + 1]
        rows.append((f"{name}: bundled {small_t:.1f} ms, {args.scale}x", big_t, big_t / small_t, target))
    print_table(f"Scale: {count} entries ({args.scale}x bundled), ratio to the bundled knowledge base", rows)
    print(f"  first load of the {args.scale}x knowledge base (parse, validate, cache): {first:.0f} ms")
    memory = [(name, peak_rss_mb(big, big_env)) for name, big, _, _ in pairs]
    print("\nPeak memory (max RSS) at scale, target <= 60 MB")
    for name, mb in memory:
        print(f"  {name:<40} {mb:7.1f} MB  {'ok' if mb <= 60 else 'OVER'}")
    return 0


ASK = ["ask", "is", "ketamine", "addictive"]


def measure(commands: list[tuple[list[str], dict[str, str]]], runs: int) -> list[float]:
    """Median milliseconds of each command, measured side by side."""
    if shutil.which("hyperfine"):
        return _hyperfine(commands, runs)
    samples: list[list[float]] = [[] for _ in commands]
    for cmd, env in commands:  # one warm-up each
        time_once(cmd, env)
    for _ in range(runs):  # interleaved, so drifts in machine load hit every command alike
        for n, (cmd, env) in enumerate(commands):
            samples[n].append(time_once(cmd, env))
    return [statistics.median(s) for s in samples]


def _hyperfine(commands: list[tuple[list[str], dict[str, str]]], runs: int, rounds: int = 3) -> list[float]:
    """Medians over *rounds* hyperfine runs, each starting with a different
    command, so a slow spell on a busy machine does not fall on one command."""
    samples: list[list[float]] = [[] for _ in commands]
    per_round = max(3, -(-runs // rounds))
    for shift in range(rounds):
        order = [(n + shift) % len(commands) for n in range(len(commands))]
        for n, seconds in zip(order, _hyperfine_once([commands[n] for n in order], per_round)):
            samples[n] += seconds
    return [statistics.median(s) * 1000 for s in samples]


def _hyperfine_once(commands: list[tuple[list[str], dict[str, str]]], runs: int) -> list[list[float]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        line = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", export.name, "--style", "none"]
        for cmd, env in commands:
            overrides = [f"{key}={value}" for key, value in env.items() if os.environ.get(key) != value]
            removed = [f"--unset={key}" for key in os.environ if key not in env]
            line.append(" ".join(["env", *removed, *map(_quote, overrides), *map(_quote, cmd)]))
        done = subprocess.run(line, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(f"hyperfine failed:\n{done.stderr}")
        return [r["times"] for r in json.loads(Path(export.name).read_text())["results"]]


def _quote(word: str) -> str:
    return word if word and all(c.isalnum() or c in "-_./=:," for c in word) else "'" + word.replace("'", "'\\''") + "'"


def time_once(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Max resident memory of *cmd*, measured in a fresh parent process."""
    probe = (
        "import resource, subprocess, sys\n"
        f"subprocess.run({cmd!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    kilobytes = int(out.stdout.strip())
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 1024 / 1024


def print_table(title: str, rows) -> None:
    print(title)
    for name, ms, ratio, target in rows:
        verdict = "" if target is None else ("ok" if ratio <= target else "OVER") + f" (target <= {target}x)"
        print(f"  {name:<52} {ms:8.1f} ms  {ratio:5.2f}x  {verdict}")
    print()


def build_synthetic(folder: Path, copies: int) -> int:
    """Write *copies* renamed copies of the bundled knowledge base; return the entry count."""
    from ketaminfo.kb.files import bundled_data

    bundled = {}
    for name in sorted(os.listdir(bundled_data())):
        if name.endswith(".yaml"):
            bundled.update(yaml.safe_load(Path(bundled_data(), name).read_text(encoding="utf-8")))
    folder.mkdir(parents=True)
    # The about section and the synonyms are the knowledge base's own: once, not per copy.
    once = {key: bundled.pop(key) for key in ("about", "synonyms") if key in bundled}
    (folder / "about.yaml").write_text(yaml.safe_dump(once, allow_unicode=True, sort_keys=False), encoding="utf-8")
    entries = 0
    for n in range(copies):
        copy = {section: [_renamed(entry, f"-c{n}", f" (copy {n})") for entry in items] for section, items in bundled.items()}
        entries += sum(len(items) for items in copy.values())
        (folder / f"copy-{n:03d}.yaml").write_text(yaml.safe_dump(copy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return entries


def _renamed(value, suffix: str, label: str, key: str | None = None):
    """An entry with every id, reference and name made unique to one copy."""
    if isinstance(value, dict):
        return {k: _renamed(v, suffix, label, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, suffix, label, key) for v in value]
    if key in ("id", "sources", "related"):
        return f"{value}{suffix}"
    if key in ("title", "name", "term", "aliases"):
        return f"{value}{label}"
    return value


if __name__ == "__main__":
    sys.exit(main())
