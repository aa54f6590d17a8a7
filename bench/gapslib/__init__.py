"""Pieces of bench/gaps: coded media, screen grab, players, analysis, report."""
