import json, unicodedata
def fold(s):
    s = unicodedata.normalize('NFKD', s)
    s = ''.join(c for c in s if not unicodedata.combining(c))
    return s.upper().strip()
C = {}
for x in json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']:
    for k in ('name','common_name','official_name'):
        if k in x: C.setdefault(fold(x[k]), x['alpha_2'])
# EOIR spellings (tblLookupAlienNat descriptions) that differ from ISO names.
alias = {
 'BOSNIA-HERZEGOVINA':'BA','BURMA (MYANMAR)':'MM','BURMA':'MM','BYELORUSSIA (BELARUS)':'BY','BRUNEI':'BN',
 'KAMPUCHEA':'KH',"PEOPLE'S REPUBLIC OF THE CONGO":'CG','ZAIRE':'CD','DEMOCRATIC REPUBLIC OF CONGO':'CD',
 'CZECH REPUBLIC':'CZ','CAPE VERDE':'CV','COCOS ISLAND':'CC','IVORY COAST (COTE D\'IVOIRE)':'CI','IVORY COAST':'CI',
 'IRAN':'IR','KIRGHIZIA (KYRGYZSTAN)':'KG','NORTH KOREA':'KP','SOUTH KOREA':'KR','CHRISTMAS ISLANDS':'CX','KOSOVO':'XK',
 'LAOS':'LA','MACAU':'MO','MOLDAVIA (MOLDOVA)':'MD','MACEDONIA':'MK','FEDERATED STATES OF MICRONESIA':'FM',
 'FAEROE ISLAND':'FO','FALKLAND ISLANDS':'FK','HOLLAND':'NL','HEARD AND MCDONALD ISLANDS':'HM','PITCAIRN ISLANDS':'PN',
 'PALESTINIAN':'PS','GAZA STRIP':'PS','THE REPUBLIC OF PALAU':'PW','GUINEA BISSAU':'GW','REPUBLIC OF THE MARSHALL ISLANDS':'MH',
 'RUSSIA':'RU','ST. PIERRE AND MIQUELON':'PM','ST. KITTS AND NEVIS':'KN','ST. HELENA':'SH','ST. LUCIA':'LC',
 'SLOVAK REPUBLIC':'SK','SYRIA':'SY','TAJIKISTAN (TADZHIK)':'TJ','TURKS AND CAICOS ISLANDS':'TC','EAST TIMOR':'TL',
 'TAIWAN':'TW','TANZANIA':'TZ','UNITED STATES OF AMERICA':'US','ST. VINCENT AND THE GRENADINES':'VC','VENEZUELA':'VE',
 'BRITISH VIRGIN ISLANDS':'VG','VIETNAM':'VN','WESTERN SAMOA':'WS','SWAZILAND':'SZ','BOLIVIA':'BO','TURKEY':'TR',
 'MONTENEGRO':'ME','SERBIA':'RS','CZECHOSLOVAKIA':'CZ','SOVIET UNION':'RU','UPPER VOLTA':'BF','YUGOSLAVIA':'RS',
 'SERBIA MONTENEGRO':'RS','EAST GERMANY':'DE',"PEOPLE'S REPUBLIC OF BENIN":'BJ','FRENCH SOUTHERN AND ANTARCTIC LANDS':'TF',
 'BRITISH INDIAN OCEAN TERRITORY':'IO','NETHERLANDS ANTILLES':'CW','UNITED KINGDOM':'GB','GAMBIA':'GM','BAHAMAS':'BS',
 'CONGO':'CG','CAMBODIA':'KH','HONG KONG':'HK',
}
for k,v in alias.items(): C[fold(k)] = v
L = {}
for x in json.load(open('/usr/share/iso-codes/json/iso_639-3.json'))['639-3']:
    if x.get('type') not in ('L',): continue
    for k in ('name','inverted_name'):
        if k in x: L.setdefault(fold(x[k]), x['alpha_3'])
lalias = {
 'QUICHE':'quc','K\'ICHE':'quc','KEKCHI':'kek','Q\'EQCHI':'kek','KONJOBAL':'knj','KANJOBAL':'knj','Q\'ANJOB\'AL':'kjb',
 'CREOLE':'hat','HAITIAN CREOLE':'hat','POCOMAM':'poc','POKOMAM':'poc','CHUJ':'cac','ACHI':'acr','QUICHE-ACHI':'acr',
 'FARSI':'pes','ARABIC':'ara','MANDARIN':'cmn','CANTONESE':'yue','PUNJABI':'pan','AKATEKO':'knj','ACATECO':'knj',
 'JAKALTEKO':'jac','POPTI':'jac','TECTITECO/TECTITAN MAM':'ttc','NAHUATL':'nah','MIXTECO':'mix','ZAPOTECO':'zap',
 'UKRAINIAN':'ukr','ROMANIAN-MOLDOVAN':'ron','ROMANIAN':'ron','GREEK':'ell','PASHTO':'pus','SWAHILI':'swa',
 'NEPALI':'npi','MALAY':'zsm','ALBANIAN':'sqi','QUECHUA':'que','KICHWA':'que','AWAKATEKO':'agu','AGUACATECO':'agu',
}
for k,v in lalias.items(): L[fold(k)] = v
def cstr(s): return '"' + s.replace('\\','\\\\').replace('"','\\"') + '"'
out = []
out.append('/*\n * iso.c - ISO 3166-1 country and ISO 639-3 language names to codes.\n *\n'
 ' * GENERATED from Debian iso-codes (iso_3166-1.json, iso_639-3.json; names\n'
 ' * upper-cased and accent-folded) plus aliases for the spellings EOIR uses in\n'
 ' * its lookup descriptions. ISO reference data only: no EOIR code is listed.\n'
 ' * Regenerate with the script src/ingest/iso_gen.py if the standard changes.\n */\n')
out.append('#include "ingest/iso.h"\n\n#include <stdlib.h>\n#include <string.h>\n\n')
out.append('struct iso_pair {\n\tconst char *name; /* upper-case, accent-folded name */\n\tconst char *code; /* the ISO code */\n};\n\n')
out.append('static const struct iso_pair countries[] = {\n')
for k in sorted(C, key=lambda s: s.encode()): out.append('\t{%s, "%s"},\n' % (cstr(k), C[k]))
out.append('};\n\nstatic const struct iso_pair languages[] = {\n')
for k in sorted(L, key=lambda s: s.encode()): out.append('\t{%s, "%s"},\n' % (cstr(k), L[k]))
out.append('};\n\nstatic const char *const alpha2[] = {\n')
for c in sorted(set(C.values())): out.append('\t"%s",\n' % c)
out.append('};\n')
out.append('''
static int cmp_pair(const void *key, const void *elem)
{
	const struct iso_pair *p = elem;

	return strcmp(key, p->name);
}

static const char *find(const struct iso_pair *t, size_t n, const char *name)
{
	const struct iso_pair *p = bsearch(name, t, n, sizeof(*t), cmp_pair);

	return p ? p->code : NULL;
}

const char *iso_country_code(const char *name)
{
	return find(countries, sizeof(countries) / sizeof(countries[0]), name);
}

const char *iso_language_code(const char *name)
{
	return find(languages, sizeof(languages) / sizeof(languages[0]), name);
}

static int cmp_code(const void *key, const void *elem)
{
	const char *const *c = elem;

	return strcmp(key, *c);
}

int iso_is_country(const char *code)
{
	return bsearch(code, alpha2, sizeof(alpha2) / sizeof(alpha2[0]),
		       sizeof(alpha2[0]), cmp_code) != NULL;
}
''')
open('src/ingest/iso.c','w').write(''.join(out))
