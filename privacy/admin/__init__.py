"""The privacy app in the staff admin, one module per area."""
