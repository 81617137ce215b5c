"""A plain django-oscar 4.2 project (no code of ours) with our demo catalogue, for the bench."""
