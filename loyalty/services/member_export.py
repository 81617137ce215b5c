"""The record of who exported members' personal data from /cms/, and when."""

from __future__ import annotations

import logging

from wagtail import hooks

admin_logger = logging.getLogger("loyalty.admin")


# Called as fn(actor=user, what=str, detail=dict) whenever members' personal data leaves.
PERSONAL_DATA_EXPORTED_HOOK = "personal_data_exported"


def members_export_record(*, user, filters: dict, row_count: int, export_format: str) -> None:
    """Who exported which members and when.

    Python's log always gets a line. The privacy record of personal-data exports is kept by
    whichever app registers the ``PERSONAL_DATA_EXPORTED_HOOK`` Wagtail hook (crm's privacy
    log, beside its own exports and merges), so there is one such record, not one per app.
    """
    admin_logger.info(
        "Member export by %s (id %s): %s rows as %s, filters %s",
        user.get_username(),
        user.pk,
        row_count,
        export_format,
        filters,
    )
    for record_export in hooks.get_hooks(PERSONAL_DATA_EXPORTED_HOOK):
        record_export(
            actor=user,
            what="loyalty members",
            detail={"filters": filters, "row_count": row_count, "format": export_format},
        )
