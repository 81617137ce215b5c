"""localstripe with state of its own, and the store's webhook endpoint registered at start.

localstripe keeps every object in one pickle at a fixed path, ``/tmp/localstripe.pickle``
(whatever ``TMPDIR`` or the working directory), rewritten on each change and read back at start
unless ``--from-scratch``. So every localstripe on the machine (``make run``, ``make prod``, the
benchmarks, the tests) shared that file: one started with the others' customers and payments,
and one starting while another was writing died with "pickle data was truncated". Every
localstripe of ours starts through this module instead, which keeps the state in the file the
caller names (``make run``: ``var/localstripe.pickle``, ``make prod``: under ``var/prod/``), or
in memory only without ``--state-file`` (tests and benchmarks start from scratch anyway).

``--webhook-url`` registers the store's ``/checkout/stripe/webhook/`` (signed with
``--webhook-secret``), as the Stripe dashboard does for the real Stripe: without it a card
charged for an order that could not be placed (a shopper who lost the connection after
3-D Secure, a tab that lost the race for its basket) is never settled by Stripe's event.

    python -m deploy.localstripe --port 8420 [--state-file PATH] [--webhook-url URL]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
from pathlib import Path

WEBHOOK_PATH = "/checkout/stripe/webhook/"
# The id localstripe files the endpoint under (its /_config/webhooks/<id>).
WEBHOOK_ID = "store"
DEFAULT_WEBHOOK_SECRET = "whsec_localstripe"  # noqa: S105 (settings.STRIPE_WEBHOOK_SECRET's default)


def command(
    *,
    port: int,
    state_file: Path | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
) -> list[str]:
    """The command line that starts localstripe this way (for subprocess.Popen)."""
    line = [sys.executable, "-m", "deploy.localstripe", "--port", str(port)]
    if state_file is not None:
        line += ["--state-file", str(state_file)]
    if webhook_url:
        line += ["--webhook-url", webhook_url]
        line += ["--webhook-secret", webhook_secret or DEFAULT_WEBHOOK_SECRET]
    return line


def store_at(store, state_file: Path | None) -> None:
    """Point localstripe's store at ``state_file`` (None: memory only) and load what it holds."""

    def load() -> None:
        if state_file is None or not state_file.exists():
            return
        with state_file.open("rb") as saved:
            old = pickle.load(saved)  # noqa: S301 (our own file, written by this process)
        store.clear()
        store.update(old)

    def dump() -> None:
        if state_file is None:
            return
        # Written aside and renamed: a process killed mid-write leaves the old state whole.
        with tempfile.NamedTemporaryFile(dir=state_file.parent, delete=False) as new:
            pickle.dump(dict(store), new, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(new.name, state_file)

    store.try_load_from_disk = load
    store.dump_to_disk = dump
    if state_file is not None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
    load()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--state-file", type=Path, help="keep the state here (memory only if unset)"
    )
    parser.add_argument("--webhook-url", help="the store's webhook endpoint, to register")
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET)
    args = parser.parse_args(argv)

    from localstripe import resources, server, webhooks

    store_at(resources.store, args.state_file.resolve() if args.state_file else None)
    if args.webhook_url:
        webhooks.register_webhook(WEBHOOK_ID, args.webhook_url, args.webhook_secret, None)
    # The state is loaded above: localstripe must not read the shared file itself.
    sys.argv = ["localstripe", "--port", str(args.port), "--from-scratch"]
    server.start()


if __name__ == "__main__":
    main()
