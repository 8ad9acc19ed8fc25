"""The installable offline app: its shell page, web app manifest and service worker."""
