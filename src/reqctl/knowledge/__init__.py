"""Knowledge sharing across projects: lessons exported from one project, read by another (the case library)."""
