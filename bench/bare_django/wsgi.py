"""gunicorn bench.bare_django.wsgi (from the project folder)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare_django.settings")
application = get_wsgi_application()
