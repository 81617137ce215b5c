"""Read-side queries of the campus-card wallet."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from wallet.models import Wallet, WalletTransaction


def wallet_get_for_user(*, user) -> Wallet | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Wallet.objects.filter(user=user).first()


def wallet_statement(*, wallet_id: int, limit: int = 100) -> QuerySet[WalletTransaction]:
    return (
        WalletTransaction.objects.filter(wallet_id=wallet_id)
        .select_related("order", "refund")
        .order_by("-created_at", "-pk")[:limit]
    )


def wallet_ledger_sum(*, wallet_id: int) -> Decimal:
    """The sum of every movement: must always equal the wallet's stored balance."""
    total = WalletTransaction.objects.filter(wallet_id=wallet_id).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total if total is not None else Decimal("0.00")
