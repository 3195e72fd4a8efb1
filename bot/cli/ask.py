"""``beatwatch ask "QUESTION" [--json]`` and ``beatwatch ingest``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import emit_json, fail
from bot.cli.render import as_text
from bot.present.ask import answer_reply
from bot.services import open_services
from bot.settings import Settings

EMPTY_QUESTION = 'ask needs a question, e.g. beatwatch ask "Who denied the FT report?"'


def register(sub: Any) -> None:
    p = sub.add_parser("ask", help="answer a question from the fact store, with quoted sources")
    p.add_argument("question", nargs="*", help="the question (quote it, or pass the words)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=handle_ask)
    p = sub.add_parser("ingest", help="turn stored articles (and the seeds) into facts; idempotent")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=handle_ingest)


async def handle_ask(settings: Settings, args: argparse.Namespace) -> int:
    question = " ".join(args.question or [])
    if not question.strip():
        return fail(EMPTY_QUESTION)
    async with open_services(settings) as services:
        answer = await services.facts.ask(question)
    if args.json:
        emit_json(answer.model_dump(mode="json"))
    else:
        sys.stdout.write(as_text(answer_reply(answer, sources=True)) + "\n")
    return 0


async def handle_ingest(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        seeds = await services.facts.ingest_seeds(settings.seeds_dir)
        stored = await services.facts.ingest_stored()
        total = await services.db.fetchval("SELECT count(*) FROM facts")
    if args.json:
        emit_json({"added": seeds + stored, "facts": total})
    else:
        sys.stdout.write(f"added {seeds + stored} facts; the store holds {total}\n")
    return 0
