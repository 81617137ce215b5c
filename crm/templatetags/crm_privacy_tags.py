"""The privacy log in words: what left the store, was merged or deleted, as staff read it.

Entries keep their detail as the JSON written when it happened (ids and counts, never
foreign keys: a merged-away customer must stay traceable), so the sentences are made here,
when the log is shown, in the reader's language.
"""

from django import template
from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.templatetags.currency_filters import currency

from crm.models import PrivacyLog

register = template.Library()


def _report_label(key: str) -> str:
    labels = {
        "sales": _("Sales by period"),
        "channels": _("Sales by channel"),
        "member_types": _("Sales by member type"),
        "customers": _("New and returning customers"),
        "points": _("Points earned and spent"),
        "tiers": _("Members by tier"),
        "complaints": _("Complaints"),
        "kpis": _("Monthly KPIs"),
    }
    return labels.get(key, key)


def _model_label(label: str) -> str:
    """ "order.Order.user" or "order.Order" as the model's plural name ("orders")."""
    app_label, _dot, rest = label.partition(".")
    model_name = rest.split(".", 1)[0]
    try:
        return str(apps.get_model(app_label, model_name)._meta.verbose_name_plural)
    except LookupError:
        return label


def _counts(counts: dict) -> str:
    return ", ".join(f"{_model_label(label)}: {count}" for label, count in counts.items())


def _export_lines(detail: dict) -> list[str]:
    what = detail.get("what", "")
    if what == "profile":
        return [_("The customer's profile, as a CSV file.")]
    if what.startswith("report:"):
        line = _("The report “%(report)s”, as a CSV file.") % {
            "report": _report_label(what.removeprefix("report:"))
        }
        if detail.get("from") and detail.get("to"):
            line += " " + _("Period: %(start)s to %(end)s.") % {
                "start": detail["from"],
                "end": detail["to"],
            }
        return [line]
    if what == "loyalty members":
        rows = int(detail.get("row_count", 0))
        lines = [
            ngettext(
                "The member list: %(count)s member (%(format)s file).",
                "The member list: %(count)s members (%(format)s file).",
                rows,
            )
            % {"count": rows, "format": str(detail.get("format", "")).upper()}
        ]
        filters = {key: value for key, value in (detail.get("filters") or {}).items() if value}
        if filters:
            lines.append(
                _("Filtered by %(filters)s.")
                % {
                    "filters": "; ".join(
                        f"{key} = {', '.join(map(str, value)) if isinstance(value, list) else value}"
                        for key, value in filters.items()
                    )
                }
            )
        else:
            lines.append(_("All members, no filter."))
        return lines
    return [_("Export: %(what)s.") % {"what": what}]


def _merge_lines(detail: dict) -> list[str]:
    points = int(detail.get("points_moved", 0))
    lines = [
        _("Customer #%(merged)s (%(email)s) was merged into customer #%(kept)s.")
        % {
            "merged": detail.get("merged", "?"),
            "email": detail.get("merged_email") or _("no email"),
            "kept": detail.get("kept", "?"),
        },
        ngettext(
            "%(points)s point and %(wallet)s of campus-card balance moved.",
            "%(points)s points and %(wallet)s of campus-card balance moved.",
            points,
        )
        % {"points": points, "wallet": currency(detail.get("wallet_moved", "0.00"))},
    ]
    if detail.get("moved"):
        lines.append(_("Records moved: %(counts)s.") % {"counts": _counts(detail["moved"])})
    if detail.get("left_behind"):
        lines.append(
            _("Left with the merged account: %(counts)s.")
            % {"counts": _counts(detail["left_behind"])}
        )
    return lines


def _account_delete_lines(entry: PrivacyLog) -> list[str]:
    kept = (entry.detail or {}).get("kept_unlinked") or {}
    lines = [
        _("Customer #%(id)s deleted their account from the shop.")
        % {"id": entry.subject_user_id or "?"}
    ]
    if kept:
        lines.append(
            _("Kept by the store, no longer linked to anyone: %(counts)s.")
            % {"counts": _counts(kept)}
        )
    else:
        lines.append(_("No card, wallet, ticket or pre-order of theirs was kept."))
    return lines


@register.simple_tag
def privacy_log_detail(entry: PrivacyLog) -> list[str]:
    """The entry's detail as sentences, one per line of the log's "What" column."""
    detail = entry.detail or {}
    if entry.action == PrivacyLog.Action.MERGE:
        return _merge_lines(detail)
    if entry.action == PrivacyLog.Action.ACCOUNT_DELETE:
        return _account_delete_lines(entry)
    return _export_lines(detail)
