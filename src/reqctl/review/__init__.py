"""Review links: customers approve in a browser (``reqctl review``, ``reqctl serve``)."""
