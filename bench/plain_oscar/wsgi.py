"""gunicorn bench.plain_oscar.wsgi (from the project folder)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.plain_oscar.settings")
application = get_wsgi_application()
