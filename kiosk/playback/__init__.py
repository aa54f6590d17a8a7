"""Video playback behind one small protocol (base.Player); only this package imports vlc."""
