import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations import evaluation
from shop.demo.catalogue_map import item_category_key

DEFAULT_CUTOFF = dt.date(2015, 10, 1)


class Command(BaseCommand):
    help = (
        "Score the recommendation models on a purchases CSV (member_number,date,item): "
        "recall@10, NDCG@10, catalogue coverage and run time, then each served row (buy again, "
        "new for you, bought together) against its own baseline. By default trains on lines "
        "before 2015-10-01 and tests on the rest; --train/--test score any other split."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", help="Purchases CSV for the date split (default: settings.DEMO_CSV_PATH)."
        )
        parser.add_argument(
            "--cutoff",
            default=DEFAULT_CUTOFF.isoformat(),
            help="First test day of the date split, YYYY-MM-DD (default: %(default)s).",
        )
        parser.add_argument("--train", help="Train CSV (use with --test instead of --csv).")
        parser.add_argument("--test", help="Test CSV (use with --train).")
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")

    def handle(self, *args, **options):
        if bool(options["train"]) != bool(options["test"]):
            raise CommandError("--train and --test go together: give both or neither.")
        if options["train"] and options["csv"]:
            raise CommandError("Give either --csv (date split) or --train/--test, not both.")
        try:
            if options["train"]:
                split = evaluation.split_from_files(
                    evaluation.purchases_read_csv(options["train"]),
                    evaluation.purchases_read_csv(options["test"]),
                )
            else:
                try:
                    cutoff = dt.date.fromisoformat(options["cutoff"])
                except ValueError:
                    raise CommandError(
                        f"--cutoff {options['cutoff']!r} is not a date (YYYY-MM-DD)."
                    ) from None
                lines = evaluation.purchases_read_csv(options["csv"] or settings.DEMO_CSV_PATH)
                split = evaluation.split_by_date(lines, cutoff=cutoff)
        except evaluation.PurchasesFileError as error:
            raise CommandError(str(error)) from None
        if not split.is_train.any():
            raise CommandError("The training part of the split is empty.")
        if split.is_train.all():
            raise CommandError("The test part of the split is empty.")

        # Items are named as in the demo CSV, so the demo's aisles are their categories.
        categories = evaluation.categories_of_items(
            split.history.item_keys, category_of=item_category_key
        )
        results = evaluation.evaluate_split(split, categories=categories)
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
            return
        self.stdout.write(
            f"{'model':<14}{'recall@10':>11}{'ndcg@10':>10}{'coverage':>10}{'seconds':>10}"
        )
        for name, scores in results["models"].items():
            marker = "  <- served" if name == results["served"] else ""
            self.stdout.write(
                f"{name:<14}{scores['recall@10']:>11.4f}{scores['ndcg@10']:>10.4f}"
                f"{scores['coverage']:>10.3f}{scores['seconds']:>10.3f}{marker}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"{'row':<26}{'recall@10':>11}{'ndcg@10':>10}{'coverage':>10}{'diversity':>11}"
        )
        for name, scores in results["rows"].items():
            for label, figures in ((name, scores), ("  baseline", scores["baseline"])):
                self.stdout.write(
                    f"{label:<26}{figures['recall@10']:>11.4f}{figures['ndcg@10']:>10.4f}"
                    f"{figures['coverage']:>10.3f}{figures['diversity']:>11.2f}"
                )
