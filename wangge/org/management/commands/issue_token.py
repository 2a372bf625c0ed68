"""Issue a REST API token for a staff account: ``manage.py issue_token <username>``.

Tokens are stored hashed, so an existing token cannot be shown again: every run issues a new one
and prints its key (the only time it is shown). ``--rotate`` first revokes the account's live
tokens. The account's owner sees and revokes its tokens on their account page (/account/).
(It lived in ``core`` while tokens were DRF's; it writes ``org`` rows, and core imports no app.)
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wangge.org import services


class Command(BaseCommand):
    help = "Issue a new API token for a staff account and print its key (--rotate: revoke its other tokens first)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="issue_token", help="What the token is for (default: issue_token).")
        parser.add_argument("--days", type=int, default=services.DEFAULT_TOKEN_DAYS,
                            help=f"Days until it expires (default {services.DEFAULT_TOKEN_DAYS}, "
                                 f"at most {services.MAX_TOKEN_DAYS}).")
        parser.add_argument("--rotate", action="store_true", help="Revoke the account's live tokens first.")

    def handle(self, *args, username: str, name: str, days: int, rotate: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff account named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is not active.")
        if rotate:
            services.revoke_all_api_tokens(user=user, actor=user)
        try:
            token, key = services.issue_api_token(user=user, name=name, days=days)
        except services.TokenError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(key)
        self.stderr.write(f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}")
