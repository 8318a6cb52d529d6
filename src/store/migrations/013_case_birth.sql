-- 013: the case's birth date (the one triage uses: ORR's, else CBP's,
-- ICE's, EOIR's), written by triage with the case, so that a birth-date
-- search reads the active cases of one office born that day from an
-- index (birth_date, office) instead of every record born that day
-- (case/find.c). NULL until the next triage run writes the case: the
-- result hash includes the date, so that run rewrites every case.
ALTER TABLE tcase ADD COLUMN birth_date TEXT;
CREATE INDEX tcase_birth ON tcase(birth_date, office);
