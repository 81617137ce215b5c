"""The privacy log says in words what was exported or merged, by whom and when."""

import pytest
from django.urls import reverse

from crm import services
from crm.models import PrivacyLog
from tests.factories.crm import marketing_manager

pytestmark = pytest.mark.django_db


def _log_html(client) -> str:
    response = client.get(reverse("crm_privacy_log:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_exports_and_merges_are_described_in_words(client):
    manager = marketing_manager()
    manager.first_name, manager.last_name = "Mei", "Lin"
    manager.save()
    services.privacy_log(
        action=PrivacyLog.Action.EXPORT,
        actor=manager,
        subject_user_id=None,
        detail={"what": "report:sales", "from": "2026-11-01", "to": "2026-11-30"},
    )
    services.privacy_log(
        action=PrivacyLog.Action.EXPORT,
        actor=manager,
        subject_user_id=None,
        detail={
            "what": "loyalty members",
            "filters": {"tier": ["gold"]},
            "row_count": 1,
            "format": "csv",
        },
    )
    services.privacy_log(
        action=PrivacyLog.Action.MERGE,
        actor=manager,
        subject_user_id=7,
        detail={
            "kept": 7,
            "merged": 9,
            "merged_email": "twin@campus.example",
            "moved": {"order.Order.user": 3},
            "points_moved": 120,
            "wallet_moved": "15.50",
            "left_behind": {},
        },
    )
    client.force_login(manager)

    html = _log_html(client)

    assert "{&#x27;" not in html and "{'" not in html and "&#x27;what&#x27;" not in html
    assert "Mei Lin" in html
    assert "Sales by period" in html and "2026-11-01 to 2026-11-30" in html
    assert "The member list: 1 member (CSV file)." in html
    assert "tier = gold" in html
    assert "Customer #9 (twin@campus.example) was merged into customer #7." in html
    assert "120 points and ¥15.50 of campus-card balance moved." in html
    assert "Orders: 3" in html


def test_member_export_count_reads_in_the_plural(client):
    manager = marketing_manager()
    services.privacy_log(
        action=PrivacyLog.Action.EXPORT,
        actor=manager,
        subject_user_id=None,
        detail={"what": "loyalty members", "filters": {}, "row_count": 40, "format": "xlsx"},
    )
    client.force_login(manager)

    html = _log_html(client)

    assert "The member list: 40 members (XLSX file)." in html
    assert "All members, no filter." in html
