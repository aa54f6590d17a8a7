"""kiosk: an unattended signage player for public-service offices."""

__version__ = "0.1.0"
