"""The app's screens: home, review, help."""
