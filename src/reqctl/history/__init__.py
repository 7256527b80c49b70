"""Item states over time: projects at a revision, commit logs, semantic diffs."""
