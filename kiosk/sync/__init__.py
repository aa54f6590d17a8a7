"""The sync folder: scanning, watching (inotify or polling), and admitting complete files."""
