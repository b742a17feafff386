"""Peak memory of one study session, in a fresh interpreter per side.

`python -m benchmarks.probe ours DATABASE CONFIG ANSWERS` or
`python -m benchmarks.probe anki COLLECTION ANSWERS`: open the collection, compute the home
screen's counts and today's queue, answer ANSWERS cards with Good, then print the process's
resident-set high-water mark as JSON `{"peak_mb": ...}`.

The mark is read from /proc/self/status (VmHWM), not from getrusage: on Linux, ru_maxrss
survives exec, so a child would report its parent's size if that were larger.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOOD = 3


def _ours(database: str, config: str, answers: int) -> None:
    from flashcards.workspace import Workspace

    workspace = Workspace.open(database, Path(config), seed=False)
    try:
        workspace.overview()
        session = workspace.review_session()
        for _ in range(answers):
            if session.next_card() is None:
                break
            session.answer(GOOD)
    finally:
        workspace.close()


def _anki(path: str, answers: int) -> None:
    import anki.collection  # before anki.cards, which cannot be imported first
    from anki.cards import Card

    col = anki.collection.Collection(path)
    try:
        col.sched.deck_due_tree()
        for _ in range(answers):
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                break
            top = queued.cards[0]
            card = Card(col, backend_card=top.card)
            card.start_timer()
            answer = col.sched.build_answer(card=card, states=top.states, rating=GOOD - 1)
            col.sched.answer_card(answer)  # (Anki numbers its ratings from 0)
    finally:
        col.close()


def main(argv: list[str]) -> None:
    side = argv[0]
    if side == "ours":
        _ours(argv[1], argv[2], int(argv[3]))
    elif side == "anki":
        _anki(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown side {side!r}: use 'ours' or 'anki'")
    print(json.dumps({"peak_mb": _peak_kb() / 1024}))


def _peak_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main(sys.argv[1:])
