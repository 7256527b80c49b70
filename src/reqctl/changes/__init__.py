"""Change requests: approvals that cover item changes, branches, the merge gate."""
