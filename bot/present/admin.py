"""``/admin sync|newsroom-role``: the bot owner's and the server manager's settings."""

from __future__ import annotations

from bot.present.reply import Reply, RoleRef, say


def synced(count: int, where: str) -> Reply:
    return say(f"Synced {count} commands to {where}.")


def newsroom_role(role_id: int | None, role_name: str = "") -> Reply:
    if role_id is None:
        return say(
            "Newsroom role cleared: only members with Manage Server change beatwatch's settings."
        )
    return say(
        (
            "Members with ",
            RoleRef(role_id),
            f" ({role_name}) may now change beatwatch's settings (topics, feeds, alerts, digest), "
            "as well as those with Manage Server.",
        )
    )
