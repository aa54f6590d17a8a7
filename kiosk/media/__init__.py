"""What a media file is: probes (can it play?) and image loading with memory bounds.

Used by the sync side (ingest) and the screen side (ui) alike, so neither depends on the other.
"""
