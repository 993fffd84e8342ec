"""What an apply that did not finish left behind, and how obsctl cleans it up.

The apply journal (`obsctl.workspace.journal`) tells the next command that the last apply did
not finish. `reconcile` then compares what exists with the state (`orphans`):

- local target: resources of this stack that exist in the local AWS but not in the state are
  removed (`cleanup`; keys scheduled for deletion), and one sentence says so (`messages`).
  Nothing another workspace's state tracks, and never the state bucket.
- aws target: nothing is deleted. The same inventory, through the normal credential chain, lists
  what may be orphaned and how to import or delete each, and the next apply stops until the user
  has dealt with them or sets OBSCTL_ACCEPT_ORPHANS=1.
"""
