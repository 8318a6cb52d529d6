-- 011: the case page's rank counts the queue through tcase_work_all
-- (queued, prio, ...), see triage.c; tcase_rank (prio, active) has no
-- reader left, and every re-triage of a case paid for keeping it (one
-- index entry deleted and one inserted per priority change).
DROP INDEX IF EXISTS tcase_rank;
