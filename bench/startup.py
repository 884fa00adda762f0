#!/usr/bin/env python3
"""Benchmark: ketaminfo's commands against two yardsticks, and at scale.

    pip install . tldr          # ketaminfo and the tldr client, in one environment
    python bench/startup.py     # --runs N, --large (adds 1000x), --ketaminfo PATH, --tldr PATH

Warm commands run in rounds with the two yardsticks, the tldr client's
`tldr --version` and the interpreter's floor (`python -c pass`, with the
Python the ketaminfo command runs on), the order rotating each round, so a
slow spell on a busy machine falls on all three. Each figure is the median
of the per-round ratios, the command's median time beside it.

Then synthetic knowledge bases 1, 10 and 100 times the bundled one (1000
with --large), in a temporary folder: the first build (empty cache), the
first search (which builds the full-text indexes), the timeline (piped,
styled, and into `head -20`), an HTML export, and peak memory (the largest
process, workers included) of each. `check` of pages of 3 KB, 100 KB and
1 MB (real pages' sentences, from the check evaluation sets). Search, ask and a lookup at scale are
paired with the same command on the bundled knowledge base.

Every target is printed with its figure and a verdict: ok, or OVER.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ASK = ["ask", "is", "ketamine", "addictive"]
HEAD = 20  # lines `timeline | head` reads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="rounds per warm command (default 20)")
    parser.add_argument("--ketaminfo", default=shutil.which("ketaminfo"), help="the ketaminfo command to time")
    parser.add_argument("--tldr", default=shutil.which("tldr"), help="the tldr client (pip install tldr)")
    parser.add_argument("--python", help="the interpreter floor (default: the Python the ketaminfo command runs on)")
    parser.add_argument("--large", action="store_true", help="also measure 1000x the bundled knowledge base (minutes)")
    args = parser.parse_args()
    if not args.ketaminfo or not args.tldr:
        print("Needs ketaminfo and the tldr client on PATH (or --ketaminfo/--tldr): pip install . tldr", file=sys.stderr)
        return 2
    args.python = args.python or interpreter_of(args.ketaminfo)
    work = Path(tempfile.mkdtemp(prefix="ketaminfo-bench-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def interpreter_of(command: str) -> str:
    """The Python a script runs on (its #! line), else this one."""
    try:
        with open(command, "rb") as handle:
            first = handle.readline().decode().strip()
    except (OSError, UnicodeDecodeError):
        return sys.executable
    path = first[2:].strip() if first.startswith("#!") else ""
    return path if path and "python" in os.path.basename(path.split()[0]) and " " not in path else sys.executable


class Verdicts:
    """Every target checked, for the summary at the end."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def __call__(self, name: str, value: float, limit: float, unit: str) -> str:
        self.count += 1
        if value > limit:
            self.failed.append(name)
            return f"OVER (target <= {limit:g}{unit})"
        return f"ok   (target <= {limit:g}{unit})"


def run(args: argparse.Namespace, work: Path) -> int:
    k, verdict = args.ketaminfo, Verdicts()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KETAMINFO", "FORCE_COLOR", "NO_COLOR"))}
    env.update(XDG_CACHE_HOME=str(work / "cache"), COLUMNS="80")
    tldr, floor = ([args.tldr, "--version"], env), ([args.python, "-c", "pass"], env)
    print(f"ketaminfo: {k}\nyardsticks: {args.tldr} --version; {args.python} -c pass")
    print(f"{args.runs} rounds per command, the order rotating; medians of per-round ratios\n")

    complete = {"_KETAMINFO_COMPLETE": "bash", "COMP_WORDS": "ketaminfo topic ", "COMP_CWORD": "2"}
    # (name, argv, extra environment, target ratio to tldr, target ratio to the floor)
    cases = [
        ("topic mechanism, styled (FORCE_COLOR=1)", [k, "topic", "mechanism"], {"FORCE_COLOR": "1"}, 0.7, 2.6),
        ("topic mechanism --format json", [k, "topic", "mechanism", "--format", "json"], {}, 0.45, 2.3),
        ("one TAB completion of topic names", [k], complete, 0.45, 2.3),
        # search and ask look for words that call for crisis help first (2-4 ms)
        ("search nmda", [k, "search", "nmda"], {}, 0.5, None),
        ("ask is ketamine addictive", [k, *ASK], {}, None, None),
        ("timeline", [k, "timeline"], {}, 0.8, None),
        ("conditions --list", [k, "conditions", "--list"], {}, 0.8, None),
        ("glossary", [k, "glossary"], {}, 0.8, None),
        ("sources", [k, "sources"], {}, 0.8, None),
        ("--help", [k, "--help"], {}, 0.8, None),
        ("--version", [k, "--version"], {}, 0.8, None),
        ("a miss: topic mechansim", [k, "topic", "mechansim"], {}, 0.8, None),
    ]
    for name, cmd, extra, _, _ in cases:  # warm the cache, the indexes and the help screen
        expect(cmd, {**env, **extra}, 1 if name.startswith("a miss") else 0)
    print(f"  {'warm, bundled knowledge base':<54} {'time':>9}  {'/ tldr':>6}  {'target':<26} {'/ python':>6}  target")
    for name, cmd, extra, to_tldr, to_floor in cases:
        times, ratios = rounds([(cmd, {**env, **extra}), tldr, floor], args.runs)
        row(name, times[0], ratios[1], verdict(f"{name} / tldr", ratios[1], to_tldr, "x") if to_tldr else "",
            ratios[2], verdict(f"{name} / python", ratios[2], to_floor, "x") if to_floor else "")
    counter = iter(range(10**6))

    def cold() -> dict[str, str]:  # each run a cache folder of its own
        return {**env, "XDG_CACHE_HOME": str(work / f"cold-{next(counter)}")}

    times, ratios = rounds([([k, "topic", "mechanism"], cold), tldr, floor], max(5, args.runs // 2))
    name = "first run after install (empty cache)"
    row(name, times[0], ratios[1], verdict(f"{name} / tldr", ratios[1], 1.0, "x"), ratios[2], "")
    print()
    checks(args, work, env, verdict)
    return scale(args, work, env, verdict)


CHECK_SIZES = (("3 KB", 3_000), ("100 KB", 100_000), ("1 MB", 1_000_000))


def checks(args: argparse.Namespace, work: Path, env: dict[str, str], verdict: Verdicts) -> None:
    """`check` of a page of 3 KB paired with one `ask`, and its growth with the page."""
    k = args.ketaminfo
    pages = {label: clinic_page(work / f"page-{size}.html", size) for label, size in CHECK_SIZES}
    first = [k, "check", str(pages["3 KB"])]
    expect(first, env, 0)
    times, ratios = rounds([(first, env), ([k, *ASK], env)], args.runs)
    print("check FILE, paired with one ask on the bundled knowledge base")
    print(f"  {'check of a 3 KB page / ask is ketamine addictive':<54} {times[0]:8.1f} ms  {ratios[1]:5.2f}x  "
          + verdict("check 3 KB / ask", ratios[1], 2.0, "x"))
    figures = {label: median_pair([measure([k, "check", str(page)], env) for _ in range(3)])
               for label, page in pages.items()}
    for label, (seconds, mb) in figures.items():
        line(f"check of a {label} page: time, peak memory {mb:.1f} MB", seconds, "", "s")
    per_kb = {label: figures[label][0] / size * 1000 for label, size in CHECK_SIZES}
    growth = per_kb["1 MB"] / per_kb["100 KB"]
    line("check: time per KB at 1 MB / at 100 KB (linear)", growth, verdict("check growth", growth, 1.5, "x"), "x")
    mb = figures["1 MB"][1]
    line("check of a 1 MB page, peak memory", mb, verdict("check memory at 1 MB", mb, 150, " MB"), "MB")
    print()


def clinic_page(path: Path, size: int) -> Path:
    """An HTML page of about *size* bytes: real pages' sentences (the check
    evaluation sets), as paragraphs, a list and FAQ headings, in turn."""
    tests = Path(__file__).resolve().parent.parent / "tests" / "data"
    sentences = [item["text"] for name in ("check_tune.yaml", "check_heldout.yaml")
                 for page in yaml.safe_load((tests / name).read_text(encoding="utf-8"))["pages"]
                 for item in page["sentences"]]
    parts, total, n = ["<!doctype html><html><body>"], 0, 0
    while total < size:
        text = sentences[n % len(sentences)].replace("&", "&amp;").replace("<", "&lt;")
        part = (f"<h2>{text}</h2>", f"<p>{text}</p>", f"<ul><li>{text}</li></ul>")[n % 3]
        parts.append(part)
        total += len(part.encode()) + 1
        n += 1
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


BUILDS = ("first build", "index build", "export")


def scale(args: argparse.Namespace, work: Path, env: dict[str, str], verdict: Verdicts) -> int:
    k = args.ketaminfo
    scales = [1, 10, 100] + ([1000] if args.large else [])
    data = {copies: work / f"synthetic-{copies}" for copies in scales}
    entries = {copies: build_synthetic(data[copies], copies) for copies in scales}
    grown: dict[int, dict[str, tuple[float, float]]] = {}
    growth: dict[str, float] = {}
    for copies in scales:
        caches = iter(range(10**6))

        def fresh(size: int = copies) -> dict[str, str]:  # a knowledge base *size* times, with an empty cache
            return {**env, "KETAMINFO_DATA": str(data[size]), "XDG_CACHE_HOME": str(work / f"cache-{size}-{next(caches)}")}

        if copies < 1000:
            repeat = 3
            runs = [builds(k, fresh(), work) for _ in range(repeat)]
        else:
            # Taken in rounds with the same at 100x, the order alternating,
            # so that the growth is a ratio of runs taken side by side; the
            # median of three rounds, so one slow spell does not decide it.
            repeat, runs, ratios = 3, [], {name: [] for name in BUILDS}
            for n in range(repeat):
                if n % 2:
                    large, small = builds(k, fresh(), work), builds(k, fresh(100), work)
                else:
                    small, large = builds(k, fresh(100), work), builds(k, fresh(), work)
                runs.append(large)
                shutil.rmtree(small["env"]["XDG_CACHE_HOME"], ignore_errors=True)
                for name in BUILDS:
                    ratios[name].append(large[name][0] / small[name][0])
            growth = {name: statistics.median(values) for name, values in ratios.items()}
        figures = {name: median_pair([run[name] for run in runs]) for name in BUILDS}
        warm = runs[0]["env"]
        written_out()  # the builds' last export (thousands of files, just deleted) is not the timeline's to pay for
        figures["timeline"] = median_pair([measure([k, "timeline"], warm) for _ in range(repeat)])
        figures["styled timeline"] = median_pair(
            [measure([k, "timeline", "--no-pager"], {**warm, "FORCE_COLOR": "1"}) for _ in range(repeat)])
        figures["timeline | head"] = median_pair(
            [measure(["sh", "-c", f'"$0" timeline | head -{HEAD} > /dev/null', k], warm) for _ in range(repeat)])
        grown[copies] = figures
        if copies >= 100:
            paired_at_scale(args, work, env, warm, copies, verdict)
        for run in runs:
            shutil.rmtree(run["env"]["XDG_CACHE_HOME"], ignore_errors=True)

    columns = ["first build", "index build", "timeline", "styled timeline", "timeline | head", "export"]
    print("Growth: time (s) and peak memory (MB, the largest process) by size")
    print(f"{'size':>6} {'entries':>8}  " + "  ".join(f"{c:>17}" for c in columns))
    for copies, figures in grown.items():
        cells = [f"{figures[c][0]:7.2f} s {figures[c][1]:5.1f} MB" for c in columns]
        print(f"{copies:>5}x {entries[copies]:>8}  " + "  ".join(cells))
    print()

    print("Targets at scale")
    hundred = grown[100]
    check = verdict
    line("timeline at 100x, piped", hundred["timeline"][0], check("timeline at 100x", hundred["timeline"][0], 0.3, " s"), "s")
    line("timeline at 100x, styled", hundred["styled timeline"][0],
         check("styled timeline at 100x", hundred["styled timeline"][0], 0.4, " s"), "s")
    for copies in scales:
        line(f"timeline peak memory at {copies}x (flat)", grown[copies]["timeline"][1],
             check(f"timeline memory at {copies}x", grown[copies]["timeline"][1], 30, " MB"), "MB")
    if 1000 in grown:
        large = grown[1000]
        for name in BUILDS:
            line(f"{name} 1000x / 100x, paired (linear)", growth[name], check(f"{name} growth", growth[name], 10, "x"), "x")
        for name, limit in (("first build", 300), ("index build", 300), ("export", 150)):
            line(f"{name} peak memory at 1000x", large[name][1], check(f"{name} memory", large[name][1], limit, " MB"), "MB")
        line("timeline | head -20 at 1000x", large["timeline | head"][0],
             check("timeline | head time", large["timeline | head"][0], 0.2, " s"), "s")
        line("timeline | head -20 at 1000x, memory", large["timeline | head"][1],
             check("timeline | head memory", large["timeline | head"][1], 30, " MB"), "MB")
    else:
        print("  (1000x: run with --large for the growth, head and memory targets at 1000x)")
    print()
    if verdict.failed:
        print(f"{len(verdict.failed)} of {verdict.count} targets missed: " + "; ".join(verdict.failed))
        return 1
    print(f"All {verdict.count} targets met.")
    return 0


def builds(k: str, env: dict[str, str], work: Path) -> dict:
    """The first build (an empty cache), the index build (the first search
    right after) and an HTML export of one knowledge base: (seconds, peak MB)
    of each, and the environment whose cache now holds it."""
    site = work / "site"
    figures = {
        "first build": settled([k, "topic", "mechanism-c0", "--format", "json"], env),
        "index build": settled([k, "search", "nmda"], env),
        "export": settled([k, "export", "--out", str(site)], env),
        "env": env,
    }
    shutil.rmtree(site, ignore_errors=True)
    return figures


def settled(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """``measure`` *cmd* once what earlier runs wrote is on disk: a 1000x
    build writes over a gigabyte, which the system writes out in the
    background for up to a minute after it ends, slowing whatever runs
    next, so that a pair's ratio depended on which of the two came second."""
    written_out()
    return measure(cmd, env)


def written_out() -> None:
    """Wait until what earlier runs wrote is on disk."""
    if hasattr(os, "sync"):
        os.sync()


def paired_at_scale(args: argparse.Namespace, work: Path, env: dict[str, str], big: dict[str, str],
                    copies: int, verdict: Verdicts) -> None:
    """Lookups, search and ask at *copies* times, paired with the same on the bundled knowledge base."""
    k = args.ketaminfo
    cases = [
        ("lookup", [k, "topic", "mechanism-c7", "--format", "json"], [k, "topic", "mechanism", "--format", "json"],
         {100: 1.2}),
        ("search nmda", [k, "search", "nmda"], [k, "search", "nmda"], {100: 1.5, 1000: 3.0}),
        ("ask is ketamine addictive", [k, *ASK], [k, *ASK], {100: 1.5, 1000: 3.0}),
    ]
    print(f"At {copies}x, paired with the same command on the bundled knowledge base")
    for name, at_scale, bundled, targets in cases:
        expect(at_scale, big, 0)
        times, ratios = rounds([(at_scale, big), (bundled, env)], args.runs)
        limit = targets.get(copies)
        mark = verdict(f"{name} at {copies}x / bundled", ratios[1], limit, "x") if limit else ""
        print(f"  {name:<54} {times[0]:8.1f} ms  {ratios[1]:5.2f}x  {mark}")
    for name, cmd in (("lookup", cases[0][1]), ("search", cases[1][1]), ("ask", cases[2][1])):
        mb = measure(cmd, big)[1]
        line(f"{name} peak memory", mb, verdict(f"{name} memory at {copies}x", mb, 60, " MB"), "MB")
    print()


def rounds(commands, runs: int) -> tuple[list[float], list[float]]:
    """Run *commands* ((argv, environment or a function giving one)) in
    *runs* rounds, the order rotating; (median ms of each, median ratio of
    the first to each)."""
    times: list[list[float]] = [[] for _ in commands]
    ratios: list[list[float]] = [[] for _ in commands]
    for n in range(runs):
        order = list(range(len(commands)))
        order = order[n % len(order):] + order[: n % len(order)]
        taken = [0.0] * len(commands)
        for i in order:
            cmd, cmd_env = commands[i]
            taken[i] = time_once(cmd, cmd_env() if callable(cmd_env) else cmd_env)
        for i, t in enumerate(taken):
            times[i].append(t)
            ratios[i].append(taken[0] / t)
    return [statistics.median(t) for t in times], [statistics.median(r) for r in ratios]


def expect(cmd: list[str], env: dict[str, str], code: int) -> None:
    """Run *cmd* once; stop the benchmark unless it exits with *code*."""
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode != code:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}, not {code}; nothing measured\n{done.stderr.decode(errors='replace')[:2000]}")


def time_once(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - started) * 1000


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB of the largest process) of one run of *cmd*, taken
    by a fresh parent process so that only the command's processes count."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        f"code = subprocess.run({cmd!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    seconds, kilobytes, code = out.stdout.split()
    if code != "0":  # a figure for a failing command would measure the failure
        sys.exit(f"{' '.join(cmd)} exited {code}; nothing measured")
    return float(seconds), int(kilobytes) / 1024 / (1024 if sys.platform == "darwin" else 1)


def median_pair(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), max(p[1] for p in pairs)


def row(name: str, ms: float, to_tldr: float, tldr_mark: str, to_floor: float, floor_mark: str) -> None:
    print(f"  {name:<54} {ms:6.1f} ms  {to_tldr:5.2f}x  {tldr_mark:<26} {to_floor:5.2f}x  {floor_mark}")


def line(name: str, value: float, mark: str, unit: str) -> None:
    print(f"  {name:<54} {value:8.2f} {unit:<3} {mark}")


class _Loader(yaml.SafeLoader):
    """YAML 1.2's booleans: "off", "no" and "on" stay words (the crisis
    phrases use them), as ketaminfo itself reads them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

ONCE = ("about", "synonyms", "phrase-words", "crisis")


def build_synthetic(folder: Path, copies: int) -> int:
    """Write *copies* renamed copies of the bundled knowledge base; return the entry count."""
    from ketaminfo.kb.files import bundled_data

    bundled: dict = {}
    for name in sorted(os.listdir(bundled_data())):
        if name.endswith(".yaml"):
            text = Path(bundled_data(), name).read_text(encoding="utf-8")
            for section, items in yaml.load(text, Loader=_Loader).items():
                if isinstance(items, list):  # a section may be spread over files (phrase-words)
                    bundled.setdefault(section, []).extend(items)
                else:
                    bundled[section] = items
    folder.mkdir(parents=True)
    # The knowledge base's own sections, once rather than per copy: the about
    # section, the synonyms, the word classes of its phrases and the crisis
    # phrasings. The claims people meet are copied, as they name pages.
    once = {key: bundled.pop(key) for key in ONCE if key in bundled}
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
    if key == "questions":  # each question belongs to one page
        return f"{value}{label.replace('(', 'in ').replace(')', '')}"
    return value


if __name__ == "__main__":
    sys.exit(main())
