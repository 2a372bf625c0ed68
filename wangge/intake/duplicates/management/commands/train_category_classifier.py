from django.core.management.base import BaseCommand

from wangge.intake.duplicates.actions import train_classifier


class Command(BaseCommand):
    help = "Train the category classifier on the newest closed cases (分类模型训练)."

    def add_arguments(self, parser):
        parser.add_argument("--min-cases", type=int, default=None, help="refuse with fewer cases (default 200)")
        parser.add_argument("--limit", type=int, default=None, help="train on at most this many cases")

    def handle(self, *args, min_cases=None, limit=None, **options):
        row = train_classifier(min_cases=min_cases, limit=limit)
        if row is None:
            self.stdout.write("Not enough closed cases with a category yet: suggestions use the keywords.")
            return
        accuracy = f"{row.accuracy:.1%}" if row.accuracy is not None else "—"
        self.stdout.write(f"Trained on {row.cases} cases in {row.categories} categories; held-out accuracy {accuracy}.")
