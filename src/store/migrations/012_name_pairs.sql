-- 012: name-pair search keys. A search for two names ("GARCIA MARIA")
-- reads the persons bearing both from one key, kind 'pair', "A B" with A
-- before B (link_pair_key), instead of intersecting each name's rows,
-- which grow with the number of children (see link/search.c). Link runs
-- write a record's pairs from its own names; for persons linked before
-- this migration every two of the person's family and given name tokens
-- are paired, a superset of the per-record pairs.
CREATE TEMP TABLE m012_tok AS
  SELECT DISTINCT person_id, key FROM person_key WHERE kind IN ('family', 'given');
CREATE INDEX temp.m012_tok_pk ON m012_tok(person_id, key);
INSERT OR IGNORE INTO person_key(key, kind, person_id)
  SELECT a.key || ' ' || b.key, 'pair', a.person_id
  FROM m012_tok a JOIN m012_tok b ON b.person_id = a.person_id AND b.key > a.key
  ORDER BY 1, 3;
DROP TABLE temp.m012_tok;
