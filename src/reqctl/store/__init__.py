"""Item files on disk: front matter, the fast read path with its cache, careful writes."""
