from django.conf import settings
from django.core.management.base import BaseCommand

from core.i18n import translations_compile


class Command(BaseCommand):
    help = "Compile .po translations to .mo with Babel (no GNU gettext needed)."

    def handle(self, *args, **options):
        for path in translations_compile(locale_dirs=list(settings.LOCALE_PATHS)):
            self.stdout.write(str(path))
