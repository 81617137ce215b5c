"""No models: the roles are Django groups. The module exists because Django sends
``post_migrate`` only to apps that have one (staff.receivers installs the roles then)."""
