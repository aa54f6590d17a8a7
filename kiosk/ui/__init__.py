"""The Qt layer: the window, what it paints, and how images are decoded safely."""
