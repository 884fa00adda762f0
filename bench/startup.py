#!/usr/bin/env python3
"""Start-up benchmark: each ketaminfo command paired with `tldr --version`.

    pip install . tldr          # ketaminfo and the tldr client, in one environment
    python bench/startup.py     # --runs N, --ketaminfo PATH, --tldr PATH, --scale N

Each command is run alternately with the baseline (`tldr --version`): one
pair after another, which of the two goes first alternating, so a slow
spell on a busy machine falls on both. The figure reported is the median of
the per-pair ratios, with the command's median time beside it. Also builds
a synthetic knowledge base 100 times the bundled one (in a temporary
folder) to time its first load, a styled timeline, lookups, search and ask
at scale, and peak memory (of those and of an export).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ASK = ["ask", "is", "ketamine", "addictive"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="pairs per command (default 20)")
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
    k, baseline = args.ketaminfo, [args.tldr, "--version"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KETAMINFO", "FORCE_COLOR", "NO_COLOR"))}
    env.update(XDG_CACHE_HOME=str(work / "cache"), COLUMNS="80")
    print(f"ketaminfo: {k}\nbaseline: {' '.join(baseline)}\n{args.runs} pairs per command; median of per-pair ratios\n")
    complete = {"_KETAMINFO_COMPLETE": "bash", "COMP_WORDS": "ketaminfo topic ", "COMP_CWORD": "2"}
    cases = [
        ("topic mechanism, styled (FORCE_COLOR=1)", [k, "topic", "mechanism"], {"FORCE_COLOR": "1"}, 0.7),
        ("topic mechanism --format json", [k, "topic", "mechanism", "--format", "json"], {}, 0.45),
        ("search nmda", [k, "search", "nmda"], {}, 0.45),
        ("TAB completion of topic names", [k], complete, 0.45),
        ("ask is ketamine addictive", [k, *ASK], {}, None),
        ("timeline", [k, "timeline"], {}, 0.8),
        ("conditions --list", [k, "conditions", "--list"], {}, 0.8),
        ("glossary", [k, "glossary"], {}, 0.8),
        ("sources", [k, "sources"], {}, 0.8),
        ("--help", [k, "--help"], {}, 0.8),
        ("--version", [k, "--version"], {}, 0.8),
        ("a miss: topic mechansim", [k, "topic", "mechansim"], {}, 0.8),
    ]
    for _, cmd, extra, _ in cases:  # warm the cache, the indexes and the help screen
        time_once(cmd, {**env, **extra})
    rows = [(name, *paired(cmd, {**env, **extra}, baseline, env, args.runs), target) for name, cmd, extra, target in cases]

    def cold(n: int) -> dict[str, str]:
        return {**env, "XDG_CACHE_HOME": str(work / f"cold-{n}")}

    counter = iter(range(10**6))
    rows.append(("first run after install (empty cache), topic mechanism",
                 *paired([k, "topic", "mechanism"], None, baseline, env, max(5, args.runs // 2),
                         make_env=lambda: cold(next(counter))), 1.0))
    print_table("Ratio to tldr --version (paired)", rows)

    # Scale: a synthetic knowledge base many times the bundled one.
    data = work / "synthetic"
    count = build_synthetic(data, args.scale)
    big = {**env, "KETAMINFO_DATA": str(data), "XDG_CACHE_HOME": str(work / "big-cache")}
    first = time_once([k, "topic", "mechanism-c0", "--format", "json"], big)
    time_once([k, "search", "nmda"], big)  # builds the full-text indexes, once
    timeline = statistics.median(time_once([k, "timeline", "--no-pager"], {**big, "FORCE_COLOR": "1"}) for _ in range(5))
    print(f"Scale: {count} entries ({args.scale}x bundled)")
    print(f"  first load (parse, validate, cache)        {first:8.0f} ms   {verdict(first / 1000, 2.5, 's')}")
    print(f"  styled timeline                            {timeline:8.0f} ms   {verdict(timeline / 1000, 0.5, 's')}")
    pairs = [
        ("warm lookup", [k, "topic", "mechanism-c7", "--format", "json"], [k, "topic", "mechanism", "--format", "json"], 1.2),
        ("search nmda", [k, "search", "nmda"], [k, "search", "nmda"], 1.5),
        ("ask is ketamine addictive", [k, *ASK], [k, *ASK], 1.5),
    ]
    scale_rows = []
    for name, at_scale, small, target in pairs:
        scale_rows.append((f"{name} (ratio to the bundled knowledge base)", *paired(at_scale, big, small, env, args.runs), target))
    print()
    print_table(f"At {args.scale}x, paired with the same command on the bundled knowledge base", scale_rows)
    print("Peak memory (max RSS) at scale")
    for name, cmd, limit in [
        ("warm lookup", pairs[0][1], 60), ("search nmda", pairs[1][1], 60), ("ask", pairs[2][1], 60),
        ("export --format html", [k, "export", "--out", str(work / "site")], 150),
    ]:
        mb = peak_rss_mb(cmd, big)
        print(f"  {name:<40} {mb:7.1f} MB  {verdict(mb, limit, 'MB')}")
    return 0


def paired(cmd, env, base, base_env, runs, make_env=None):
    """(median ms of *cmd*, median ratio to *base*) over *runs* alternating pairs."""
    times, ratios = [], []
    for n in range(runs):
        cmd_env = make_env() if make_env else env
        if n % 2:
            b = time_once(base, base_env)
            t = time_once(cmd, cmd_env)
        else:
            t = time_once(cmd, cmd_env)
            b = time_once(base, base_env)
        times.append(t)
        ratios.append(t / b)
    return statistics.median(times), statistics.median(ratios)


def time_once(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - started) * 1000


def verdict(value: float, target: float, unit: str) -> str:
    return ("ok" if value <= target else "OVER") + f" (target <= {target:g} {unit})"


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
        note = "" if target is None else verdict(ratio, target, "x")
        print(f"  {name:<56} {ms:8.1f} ms  {ratio:5.2f}x  {note}")
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
