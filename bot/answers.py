"""``/ask`` for every surface: the answer, and (on Discord) the answer kept with its message.

A public or private answer with sources is stored (``bot.storage.answers``) and its id goes in
the Sources button, so the button lists exactly the citations of the answer it sits under, after
a restart too (re-asking later could cite other articles).
"""

from __future__ import annotations

from bot.errors import UserFacingError
from bot.models import Answer
from bot.services import Services
from bot.storage import answers


async def ask(services: Services, question: str, guild_id: int) -> tuple[Answer, int | None]:
    """The answer, and the id it is kept under (None: no sources to show, nothing kept)."""
    answer = await services.facts.ask(question)
    if answer.abstained or not answer.citations:
        return answer, None
    async with services.db.transaction() as tx:
        kept = await answers.keep(tx, guild_id, answer, services.clock.now())
    return answer, kept


async def kept(services: Services, answer_id: int, guild_id: int | None) -> Answer:
    """A kept answer of server ``guild_id``; UserFacingError when it is no longer stored."""
    found = await answers.get(services.db.reader, answer_id)
    if found is None or (guild_id is not None and found[0] != guild_id):
        raise UserFacingError("I no longer have this answer's sources stored.")
    return found[1]
