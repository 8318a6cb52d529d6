-- Synthetic linkage fixture (no real person): 3 children, a twin pair,
-- a mistyped A-number, a conflicting A-number, a sponsor with children of
-- three unrelated families. Load after the schema exists.
INSERT INTO import_file(id, feed, tbl, name, sha256, imported_at)
  VALUES (1, 'test', 'test', 'fixture', 'x', '2024-01-01');
-- Child A: Jose Luis Mejia Lopez, 2007-03-14, HN, A208123456
INSERT INTO cbp_encounter(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,language,encounter_date)
  VALUES (1,1,1,'CBP-1',101,'208123456','MEJIA LOPEZ','JOSE LUIS','2007-03-14','M','HN','spa','2021-04-02');
INSERT INTO orr_placement(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,released_date,sponsor_id,sponsor_family_name,sponsor_given_name,street,city,state,zip,address_status,sponsor_phone)
  VALUES (1,1,1,'ORR-1',201,'208123456','Mejía-López','José','2007-03-14','M','HN','2021-05-01','SP-1','RAMOS','ANA','12 Maple St','Houston','TX','77036','unverified','713-555-0101');
INSERT INTO eoir_case(rid,file_id,line,skey,rhash,idncase,a_number,family_name,given_name,birth_date,sex,country,language)
  VALUES (1,1,1,'4000123',301,4000123,'208123465','LOPEZ MEJIA','JOSE LUIS','2007-03-01','M','HN','spa');
INSERT INTO ice_nta(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date)
  VALUES (1,1,1,'NTA-1',401,'208123456','MEJIA','JOSE L','2007-03-14');
-- Child B: Maria de la Luz Garcia Perez, 2009-11-02, GT; no A-number on ORR
INSERT INTO cbp_encounter(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,language,encounter_date)
  VALUES (2,1,2,'CBP-2',102,'209555111','GARCIA PEREZ','MARIA DE LA LUZ','2009-11-02','F','GT','spa','2022-01-10');
INSERT INTO orr_placement(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,released_date,sponsor_id,sponsor_family_name,sponsor_given_name,street,city,state,zip,address_status,sponsor_phone)
  VALUES (2,1,2,'ORR-2',202,NULL,'Garcia','Maria Luz','2009-02-11','F','GT','2022-02-01','SP-1','RAMOS','ANA','12 Maple St','Houston','TX','77036','unverified','7135550101');
-- Child C: Kevin Ochoa, unrelated family, same sponsor
INSERT INTO cbp_encounter(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,language,encounter_date)
  VALUES (3,1,3,'CBP-3',103,'210777333','OCHOA','KEVIN','2008-06-20','M','SV','spa','2022-03-01');
INSERT INTO orr_placement(rid,file_id,line,skey,rhash,a_number,family_name,given_name,birth_date,sex,country,released_date,sponsor_id,sponsor_family_name,sponsor_given_name,street,city,state,zip,address_status,sponsor_phone)
  VALUES (3,1,3,'ORR-3',203,'210777333','OCHOA','KEVIN','2008-06-20','M','SV','2022-04-01','SP-9','Ramos','Ana','12 MAPLE ST','Houston','TX','77036','unverified','(713) 555-0101');
-- Child D: same name and birth date as C but a different valid A-number
INSERT INTO eoir_case(rid,file_id,line,skey,rhash,idncase,a_number,family_name,given_name,birth_date,sex,country,language)
  VALUES (2,1,2,'4000999',302,4000999,'310000001','OCHOA','KEVIN','2008-06-20','M','SV','spa');
