"""Where a storefront page's time goes: py-spy samples our gunicorn workers while wrk loads one
page, and the top costs are printed.

    .venv/bin/python bench/profile_page.py product
    .venv/bin/python bench/profile_page.py member-home --duration 30

The same stack, page paths and cookies as ``bench/storefront.py`` (production settings, the demo
under ``var/bench/``, a visitor, the basket's session or a logged-in demo member). py-spy
(``requirements/dev.in``) is a sampling profiler that reads the workers' stacks from outside the
processes, so the page runs its production code unchanged; ``--idle`` keeps the samples where a
worker waits (for PostgreSQL, Redis, or a core on a busy machine), so the shares are shares of
the wall time of a request, which is what a shopper waits. Only samples inside Django's WSGI
handler count: a worker waiting for the next connection is not the page's cost.

Prints three lists, each a share of the sampled request time:

* by area: SQL (the ORM, psycopg and the wait for PostgreSQL), cache (Redis), template rendering
  (what is left of it once its queries and cache reads are counted as those), the rest;
* who asks: for the SQL and cache samples, the innermost frame outside the database, cache,
  template and utility layers of Django and the standard library, i.e. the code (ours, Oscar's,
  Wagtail's, a Django view or middleware) whose call ended in that query or cache read;
* our code: our functions by inclusive time (the function and everything it calls), without
  the middleware every request passes through (printed on one line);
* leaves: the functions the samples were in (self time), wherever they are.

The raw samples (``py-spy``'s collapsed stacks) are kept in ``var/bench/profiles/<page>.txt``
for a flame graph.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.storefront import (  # noqa: E402
    probe,
    session_cookies,
    warm_up,
    wrk_command,
    wrk_parse,
)

PAGES = {
    "home": ("home", False),
    "category": ("category", False),
    "product": ("product", False),
    "search": ("search", False),
    "basket": ("basket", False),
    "member-home": ("home", True),
    "member-product": ("product", True),
}
PROFILES_DIR = PROJECT_DIR / "var" / "bench" / "profiles"
REQUEST_FRAME = "django/core/handlers/wsgi.py"
# First match wins: a query run from a template tag is SQL time, not template time.
AREAS = (
    ("SQL (ORM, psycopg, waiting for PostgreSQL)", ("django/db/", "/psycopg/", "/psycopg2/")),
    ("cache (Redis)", ("/redis/", "/django_redis/", "django/core/cache/")),
    ("template rendering", ("django/template/", "/jinja2/")),
)
OTHER_AREA = "the rest (views, middleware, Python)"
WAITING_AREAS = frozenset(name for name, _ in AREAS[:2])
# Layers a query or cache read passes through on its way out: "who asks" looks past them.
PLUMBING = (
    "django/db/",
    "django/core/",
    "django/template/",
    "django/utils/",
    "django/dispatch/",
    "/psycopg/",
    "/redis/",
    "/django_redis/",
    sysconfig.get_paths()["stdlib"] + "/",
)
# Share of request time above which one of our functions wraps every request (middleware).
AROUND_EVERY_REQUEST = 0.9
PY_SPY_INSTALL_HINT = "py-spy is not installed: make deps (requirements/dev.in)"


@dataclass(frozen=True)
class Frame:
    function: str
    path: str

    @property
    def ours(self) -> bool:
        return (
            self.path.startswith(str(PROJECT_DIR))
            and "/.venv/" not in self.path
            and "/site-packages/" not in self.path
        )

    @property
    def short(self) -> str:
        path = self.path
        if self.ours:
            path = str(Path(path).relative_to(PROJECT_DIR))
        elif "/site-packages/" in path:
            path = path.split("/site-packages/", 1)[1]
        return f"{path}:{self.function}"


def _frame(text: str) -> Frame | None:
    """``function (path:line)``, py-spy's collapsed-stack frame; None for its process/thread
    frames."""
    if not text.endswith(")") or " (" not in text:
        return None
    function, location = text[:-1].rsplit(" (", 1)
    return Frame(function=function, path=location.rsplit(":", 1)[0])


def _plumbing(frame: Frame) -> bool:
    return any(marker in frame.path for marker in PLUMBING)


def _asker(frames: list[Frame]) -> Frame:
    """The code whose call ended in this query or cache read.

    Below the handler's ``_get_response`` (the view and the rendering of its response): the
    innermost frame outside the plumbing. When only plumbing is there, Django itself asked: the
    transaction ``ATOMIC_REQUESTS`` wraps the view in (BEGIN with its connection health check,
    COMMIT), or a template reading a lazy queryset (``{% for %}``, ``.first``), labelled with
    the queryset method. Above it (middleware): the innermost frame outside the plumbing.
    """
    handler = max(
        (i for i, frame in enumerate(frames) if frame.function == "BaseHandler._get_response"),
        default=-1,
    )
    inner = frames[handler + 1 :]
    for frame in reversed(inner):
        if not _plumbing(frame):
            return frame
    for frame in inner:
        if frame.path.endswith("django/db/transaction.py"):
            return frame
    templates = [i for i, frame in enumerate(inner) if "django/template/" in frame.path]
    if templates and templates[-1] + 1 < len(inner):
        read = inner[templates[-1] + 1]
        return Frame(function=f"a template reads {read.function}", path="templates")
    return next((frame for frame in reversed(frames) if not _plumbing(frame)), frames[-1])


@dataclass
class Profile:
    samples: int
    by_area: collections.Counter
    askers: collections.Counter
    inclusive: collections.Counter
    leaves: collections.Counter


def profile_read(raw: str) -> Profile:
    """Collapsed stacks (``frame;frame;... count`` per line) to the three lists."""
    samples = 0
    by_area: collections.Counter = collections.Counter()
    askers: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    for line in raw.splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        frames = [frame for text in stack_text.split(";") if (frame := _frame(text))]
        if not any(REQUEST_FRAME in frame.path for frame in frames):
            continue
        count = int(count_text)
        samples += count
        area = next(
            (
                name
                for name, markers in AREAS
                if any(marker in frame.path for frame in frames for marker in markers)
            ),
            OTHER_AREA,
        )
        by_area[area] += count
        if area in WAITING_AREAS:
            askers[(area.split(" ")[0], _asker(frames))] += count
        for frame in set(frames):
            if frame.ours:
                inclusive[frame] += count
        leaves[frames[-1]] += count
    return Profile(
        samples=samples, by_area=by_area, askers=askers, inclusive=inclusive, leaves=leaves
    )


def print_profile(profile: Profile, *, top: int) -> None:
    def share(count: int) -> str:
        return f"{100 * count / profile.samples:5.1f} %"

    print(f"\n{profile.samples} samples inside requests.\n\nBy area:")
    for area, count in profile.by_area.most_common():
        print(f"  {share(count)}  {area}")
    print(f"\nWho asks PostgreSQL (SQL) and Redis (cache) (top {top}):")
    for (area, frame), count in profile.askers.most_common(top):
        print(f"  {share(count)}  {area:5}  {frame.short}")
    wrappers = {
        frame: count
        for frame, count in profile.inclusive.items()
        if count >= AROUND_EVERY_REQUEST * profile.samples
    }
    print(f"\nOur code, inclusive (top {top}):")
    print("  around every request: " + ", ".join(sorted(frame.short for frame in wrappers)))
    inner = [(frame, count) for frame, count in profile.inclusive.items() if frame not in wrappers]
    for frame, count in sorted(inner, key=lambda item: -item[1])[:top]:
        print(f"  {share(count)}  {frame.short}")
    print(f"\nLeaves, self time (top {top}):")
    for frame, count in profile.leaves.most_common(top):
        print(f"  {share(count)}  {frame.short}")


def py_spy_binary() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def run(args: argparse.Namespace, py_spy: str) -> int:
    from bench.stack import running_stack

    name, as_member = PAGES[args.page]
    PROFILES_DIR.mkdir(parents=True, exist_ok=True)
    raw_file = PROFILES_DIR / f"{args.page}.txt"
    with running_stack(workers=args.workers, with_worker=True, with_localstripe=False) as stack:
        found = probe("ours", stack.env)
        if as_member:
            cookie = "; ".join(f"{k}={v}" for k, v in found["member_cookie"].items())
        elif name == "basket":
            cookie = session_cookies(
                stack.base_url, found["basket_product_ids"], found["paths"]["product"]
            )
        else:
            cookie = None
        url = stack.base_url + found["paths"][name]
        warm_up(url, cookie)
        load = subprocess.Popen(
            wrk_command(
                url,
                duration=args.duration + 2,
                connections=args.connections,
                threads=2,
                cookie=cookie,
            ),
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)  # every worker busy before the first sample
        subprocess.run(
            [
                py_spy,
                "record",
                *("--pid", str(stack.processes["gunicorn"].pid)),
                "--subprocesses",
                "--idle",
                "--function",
                "--full-filenames",
                "--nonblocking",
                *("--rate", str(args.rate)),
                *("--duration", str(args.duration)),
                *("--format", "raw"),
                *("--output", str(raw_file)),
            ],
            check=True,
            capture_output=True,
        )
        output, _ = load.communicate()
    result = wrk_parse(output, url=url)
    print(
        f"{args.page} ({found['paths'][name]}) under wrk -c{args.connections}: "
        f"{result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.0f} ms, "
        f"p99 {result.p99_ms:.0f} ms{'; ' + result.errors if result.errors else ''}; "
        f"py-spy {args.rate} Hz for {args.duration} s on {args.workers} workers; "
        f"raw samples: {raw_file.relative_to(PROJECT_DIR)}"
    )
    print_profile(profile_read(raw_file.read_text()), top=args.top)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=sorted(PAGES), help="the storefront page to profile")
    parser.add_argument("--duration", type=int, default=20, help="seconds of sampling")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--rate", type=int, default=100, help="samples per second per worker")
    parser.add_argument("--top", type=int, default=15, help="lines per list")
    parser.add_argument(
        "--from-file", type=Path, help="print the lists of an earlier run's raw samples"
    )
    args = parser.parse_args()
    if args.from_file:
        print_profile(profile_read(args.from_file.read_text()), top=args.top)
        return 0
    py_spy = py_spy_binary()
    if py_spy is None:
        print(PY_SPY_INSTALL_HINT, file=sys.stderr)
        return 1
    if shutil.which("wrk") is None:
        print("wrk is not installed: make bench-deps", file=sys.stderr)
        return 1
    return run(args, py_spy)


if __name__ == "__main__":
    sys.exit(main())
