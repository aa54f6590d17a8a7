"""Video playback behind one small protocol (base.Player); only vlc.py imports vlc."""
