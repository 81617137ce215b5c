"""Every model change ships with its migration.

A model edited without one works in the test database (built from the models) and breaks on
the next `migrate` of a real one, or makes `makemigrations` write a surprise migration there.
"""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    output = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=output)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{output.getvalue()}", pytrace=False)
