-- 008: the audit log's Merkle tree (RFC 6962, SHA-256), beside the hash
-- chain of 004 (src/audit/atree.h, docs/audit.md). One row per complete
-- subtree: level 0 holds the leaf hash of entry seq = idx + 1; the node
-- (level, idx) covers entries idx * 2^level + 1 .. (idx + 1) * 2^level.
-- Roots and proofs of any tree size read O(log^2 n) rows. Entries logged
-- before this migration get their leaves on the next append or
-- `uctrack audit checkpoint` / `uctrack serve` start (atree_sync).
-- The key leads with the node's last leaf, (idx + 1) * 2^level - 1: the
-- nodes an append completes are those ending at its leaf, so every row a
-- batch of entries adds goes to the end of one b-tree (a key led by the
-- level put each level's rows on a page of its own: 5 to 6 dirty pages
-- per batch instead of 1 to 2, a third of the audited reads per second).
CREATE TABLE audit_tree (
  last   INTEGER NOT NULL,              -- index of the last leaf covered
  level  INTEGER NOT NULL,
  idx    INTEGER NOT NULL,              -- the node's index at its level
  hash   BLOB NOT NULL,                 -- 32 bytes
  PRIMARY KEY (last, level)
) WITHOUT ROWID;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'audit_tree is append-only'); END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'audit_tree is append-only'); END;
