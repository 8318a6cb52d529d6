/*
 * cmd_audit.c - `uctrack audit verify|list|head|keygen|checkpoint|prove`.
 * docs/audit.md describes the commands, formats and exit codes.
 */
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/atree.h"
#include "audit/audit.h"
#include "audit/ckpt.h"
#include "cli/cli.h"
#include "core/file.h"
#include "store/store.h"

static int usage(FILE *f)
{
	fputs("usage: uctrack audit verify [--checkpoint FILE [--vkey FILE]] [--head SEQ:HASH]\n"
	      "       uctrack audit list [--after SEQ] [--limit N]\n"
	      "       uctrack audit head\n"
	      "       uctrack audit keygen --out FILE [--name NAME] [--vkey-out FILE]\n"
	      "       uctrack audit checkpoint [--out FILE] [--key FILE]\n"
	      "       uctrack audit prove --index N [--size M]\n"
	      "       uctrack audit prove --from OLD [--to NEW]\n\n"
	      "verify walks the hash chain, recomputes the Merkle tree and names the first\n"
	      "edited, deleted or reordered entry (exit 1). With --checkpoint (a signed\n"
	      "checkpoint kept by a witness; default: the newest in [audit] checkpoint_dir)\n"
	      "it also detects truncation, deletion of the whole log and rewrites hidden\n"
	      "by recomputing the chain, and checks the checkpoint's signature with --vkey\n"
	      "(default [audit] verifier_key, else the public half of [audit] signing_key).\n"
	      "keygen writes an Ed25519 signing key (mode 0600) and prints its verifier\n"
	      "key; checkpoint prints a signed checkpoint of the log as it is now; prove\n"
	      "prints an inclusion (leaf index N = entry seq - 1) or consistency proof as\n"
	      "JSON. Exit codes: 0 ok, 1 tampering found or a bad checkpoint/signature,\n"
	      "2 usage or config error, 3 I/O or database failure. See docs/audit.md.\n",
	      f);
	return f == stdout ? 0 : 2;
}

static int list(struct store *st, long after, long limit, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct audit_query aq;
	int rc;

	memset(&aq, 0, sizeof(aq));
	aq.after = after;
	aq.limit = limit;
	rc = audit_list_prepare(st, &aq, &q, err);
	if (rc)
		return rc;
	/* seq, at, actor, role, action, target, purpose, outcome, detail */
	while ((rc = store_step(q, err)) == STORE_ROW) {
		printf("%lld\t%s", (long long)store_col_int(q, 0), store_col_text(q, 1));
		for (int i = 2; i < 9; i++) {
			const char *v = store_col_text(q, i);

			printf("\t%s", v ? v : "");
		}
		putchar('\n');
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* Options of every subcommand. */
struct opts {
	long after, limit;	/* list */
	long hseq;		/* verify --head */
	char hhash[65];		/* verify --head */
	const char *checkpoint; /* verify --checkpoint */
	const char *vkey;	/* verify --vkey */
	const char *out;	/* keygen/checkpoint --out */
	const char *name;	/* keygen --name */
	const char *vkey_out;	/* keygen --vkey-out */
	const char *key;	/* checkpoint --key */
	long index, size;	/* prove --index/--size (-1: absent) */
	long from, to;		/* prove --from/--to (-1: absent) */
};

/* Config handler: the [audit] section into an atree_config. */
struct cfg_ctx {
	struct atree_config cfg; /* what was read */
	const char *file;	 /* for messages */
	int bad;		 /* a key was wrong */
};

static int on_ini(void *user, const char *section, const char *name, const char *v)
{
	struct cfg_ctx *c = user;
	struct uc_err err = UC_ERR_INIT;

	if (strcmp(section, "audit") != 0)
		return 1;
	if (atree_config_set(&c->cfg, name, v, &err)) {
		fprintf(stderr, "uctrack: %s: %s\n", c->file, err.msg);
		c->bad = 1;
	}
	return 1;
}

static int load_config(struct cfg_ctx *c)
{
	atree_config_init(&c->cfg);
	c->file = cli_global.config_path;
	c->bad = 0;
	if (c->file && ini_parse(c->file, on_ini, c) != 0)
		c->bad = 1;
	return c->bad ? 2 : 0;
}

static int keygen(const struct opts *o)
{
	struct uc_err err = UC_ERR_INIT;
	struct ckpt_key k;
	struct buf vk;
	char name[CKPT_NAME_MAX + 1], host[64] = "localhost";
	int rc;

	if (!o->out)
		return cli_usage_error("audit keygen wants --out FILE");
	if (o->name) {
		snprintf(name, sizeof(name), "%s", o->name);
	} else {
		if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(name, sizeof(name), "uctrack/%s", host);
	}
	buf_init(&vk, 1024);
	rc = ckpt_key_generate(&k, name, &err);
	if (!rc)
		rc = ckpt_key_write(&k, o->out, &err);
	if (!rc) {
		ckpt_vkey_format(&k, &vk);
		buf_addc(&vk, '\n');
		if (o->vkey_out)
			rc = uc_write_atomic(o->vkey_out, vk.ptr, vk.len, 0644, &err);
	}
	if (!rc) {
		fputs(vk.ptr, stdout);
		if (!cli_global.quiet)
			fprintf(stderr,
				"uctrack: wrote signing key %s (mode 0600; keep it "
				"outside the database and its backups); the line above "
				"is its verifier key: give it to the witnesses\n",
				o->out);
	}
	ckpt_key_release(&k);
	buf_release(&vk);
	return rc ? cli_fail(&err) : 0;
}

/* Print or write a checkpoint note. */
static int emit(const struct opts *o, const struct buf *note, struct uc_err *err)
{
	if (o->out)
		return uc_write_atomic(o->out, note->ptr, note->len, 0644, err);
	fwrite(note->ptr, 1, note->len, stdout);
	return UC_OK;
}

static int checkpoint(struct store *st, const struct opts *o, struct atree_config *cfg,
		      struct uc_err *err)
{
	struct atree_signer *sg = NULL;
	struct buf note;
	char path[4200];
	int64_t size = 0;
	int rc;

	buf_init(&note, CKPT_NOTE_MAX);
	if (o->key) {
		free(cfg->signing_key);
		cfg->signing_key = uc_xstrdup(o->key);
	}
	rc = atree_signer_open(&sg, cfg, err);
	if (rc)
		goto out;
	if (!sg && !cfg->checkpoint_dir) {
		rc = uc_error(err, UC_EUSAGE,
			      "audit checkpoint needs a signing key: "
			      "set [audit] signing_key or pass --key FILE (create one "
			      "with `uctrack audit keygen --out FILE`)");
		goto out;
	}
	if (!sg) {
		buf_release(&note);
		rc = atree_checkpoint_latest(cfg->checkpoint_dir, path, sizeof(path), &note, err);
		if (!rc && !cli_global.quiet)
			fprintf(stderr,
				"uctrack: no [audit] signing_key: exported the "
				"newest stored checkpoint %s\n",
				path);
	} else {
		rc = atree_sync(st, NULL, err);
		if (!rc)
			rc = atree_checkpoint_write(st, sg, &note, &size, err);
		if (!rc && !cli_global.quiet)
			fprintf(stderr, "uctrack: signed checkpoint of %lld entries%s%s\n",
				(long long)size, sg->dir ? ", stored in " : "",
				sg->dir ? sg->dir : "");
	}
	if (!rc)
		rc = emit(o, &note, err);
out:
	atree_signer_free(sg);
	buf_release(&note);
	return rc;
}

static void print_hashes(const unsigned char proof[][MERKLE_HASH], size_t np)
{
	char b[48];

	printf("[");
	for (size_t i = 0; i < np; i++) {
		sodium_bin2base64(b, sizeof(b), proof[i], MERKLE_HASH,
				  sodium_base64_VARIANT_ORIGINAL);
		printf("%s\"%s\"", i ? "," : "", b);
	}
	printf("]");
}

static void b64(const unsigned char h[MERKLE_HASH], char out[48])
{
	sodium_bin2base64(out, 48, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
}

static int prove(struct store *st, const struct opts *o, struct uc_err *err)
{
	unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH], leaf[MERKLE_HASH];
	unsigned char r1[MERKLE_HASH], r2[MERKLE_HASH];
	char b1[48], b2[48];
	int64_t size = 0;
	size_t np = 0;
	int rc;

	if ((o->index < 0) == (o->from < 0))
		return uc_error(err, UC_EUSAGE, "audit prove wants --index N or --from OLD");
	rc = atree_sync(st, &size, err);
	if (rc)
		return rc;
	if (o->index >= 0) {
		int64_t m = o->size >= 0 ? o->size : size;

		rc = atree_prove_inclusion(st, o->index, m, leaf, proof, &np, err);
		if (!rc)
			rc = atree_root(st, m, r1, err);
		if (rc)
			return rc;
		b64(leaf, b1);
		b64(r1, b2);
		printf("{\"type\":\"inclusion\",\"index\":%ld,\"seq\":%ld,"
		       "\"tree_size\":%lld,\"leaf_hash\":\"%s\",\"root\":\"%s\","
		       "\"proof\":",
		       o->index, o->index + 1, (long long)m, b1, b2);
		print_hashes((const unsigned char(*)[MERKLE_HASH])proof, np);
		printf("}\n");
		return UC_OK;
	}
	{
		int64_t n = o->to >= 0 ? o->to : size;

		rc = atree_prove_consistency(st, o->from, n, proof, &np, err);
		if (!rc)
			rc = atree_root(st, o->from, r1, err);
		if (!rc)
			rc = atree_root(st, n, r2, err);
		if (rc)
			return rc;
		b64(r1, b1);
		b64(r2, b2);
		printf("{\"type\":\"consistency\",\"old_size\":%ld,\"new_size\":%lld,"
		       "\"old_root\":\"%s\",\"new_root\":\"%s\",\"proof\":",
		       o->from, (long long)n, b1, b2);
		print_hashes((const unsigned char(*)[MERKLE_HASH])proof, np);
		printf("}\n");
	}
	return UC_OK;
}

/* Load and check the witness checkpoint for verify; *have = 0 when none
 * was given or configured. */
static int load_witness(const struct opts *o, const struct atree_config *cfg, struct ckpt *c,
			struct ckpt_key *vk, char *path, size_t pathlen, int *have,
			struct uc_err *err)
{
	struct buf note;
	const char *vpath = o->vkey		? o->vkey
			    : cfg->verifier_key ? cfg->verifier_key
						: cfg->signing_key;
	int rc;

	*have = 0;
	buf_init(&note, CKPT_NOTE_MAX + 1);
	if (o->checkpoint) {
		snprintf(path, pathlen, "%s", o->checkpoint);
		rc = ckpt_read_file(path, &note, err);
	} else if (cfg->checkpoint_dir) {
		buf_release(&note);
		rc = atree_checkpoint_latest(cfg->checkpoint_dir, path, pathlen, &note, err);
		if (rc == UC_ENOTFOUND) {
			fprintf(stderr, "uctrack: warning: %s\n", err->msg);
			uc_err_clear(err);
			rc = UC_OK;
			goto out;
		}
	} else {
		rc = UC_OK;
		goto out;
	}
	if (rc)
		goto out;
	if (!vpath) {
		rc = uc_error(err, UC_EUSAGE,
			      "audit verify: checking checkpoint %s "
			      "needs the log's verifier key: pass --vkey FILE or set "
			      "[audit] verifier_key",
			      path);
		goto out;
	}
	rc = ckpt_vkey_load(vpath, vk, err);
	if (!rc) {
		rc = ckpt_open(note.ptr ? note.ptr : "", note.len, vk, c, err);
		if (rc) {
			char why[900];

			snprintf(why, sizeof(why), "%.890s", err->msg);
			rc = uc_error(err, rc, "%s: %s", path, why);
		}
	}
	if (!rc)
		*have = 1;
out:
	buf_release(&note);
	return rc;
}

/* Add to err's message where older checkpoints in dir place a rewrite
 * that the chain and tree were recomputed to hide. */
static void narrow(struct store *st, const char *dir, const struct ckpt_key *vk, int64_t max,
		   struct uc_err *err)
{
	struct uc_err lerr = UC_ERR_INIT;
	int64_t good = 0, bad = 0;
	char msg[UC_ERR_MSG_MAX];

	if (atree_locate(st, dir, vk, max, &good, &bad, &lerr)) {
		fprintf(stderr, "uctrack: cannot narrow it down with %s: %s\n", dir, lerr.msg);
		return;
	}
	if (!bad)
		return;
	snprintf(msg, sizeof(msg),
		 "%.700s; the checkpoints in %.200s narrow it "
		 "down: entries 1..%lld are intact, the first rewritten entry is "
		 "one of %lld..%lld",
		 err->msg, dir, (long long)good, (long long)good + 1, (long long)bad);
	uc_error(err, err->code, "%s", msg);
}

static int verify(const struct opts *o, const struct atree_config *cfg, struct uc_err *err)
{
	struct audit_report rep;
	struct atree_report trep;
	struct store *st = NULL;
	struct ckpt c;
	struct ckpt_key vk;
	struct uc_err terr = UC_ERR_INIT;
	char path[4200] = "";
	int rc, trc, have = 0;

	rc = load_witness(o, cfg, &c, &vk, path, sizeof(path), &have, err);
	if (rc)
		return rc;
	if (access(cli_global.db_path, F_OK) != 0) {
		if (have)
			return uc_error(err, UC_EINPUT,
					"database %s does not exist, but "
					"checkpoint %s vouches for %" PRIu64 " entries: "
					"the whole log was deleted",
					cli_global.db_path, path, c.size);
		return uc_error(err, UC_ENOTFOUND, "database %s does not exist",
				cli_global.db_path);
	}
	rc = store_open(&st, cli_global.db_path, 0, err);
	if (rc)
		goto out;
	rc = audit_verify(st, o->hseq, o->hseq ? o->hhash : NULL, &rep, err);
	if (rc && !have)
		goto out;
	/* With a witness checkpoint, say what it finds even when the chain
	 * already failed: its message covers truncation and deletion. */
	trc = atree_verify(st, have ? &c : NULL, path, &trep, &terr);
	if (rc && trc) {
		fprintf(stderr, "uctrack: %s\n", err->msg);
		*err = terr;
		rc = trc;
		goto out;
	}
	if (rc)
		goto out;
	if (trc) {
		*err = terr;
		rc = trc;
		if (trep.hidden && cfg->checkpoint_dir)
			narrow(st, cfg->checkpoint_dir, &vk, (int64_t)c.size, err);
		goto out;
	}
	if (cli_global.quiet)
		goto out;
	printf("audit log intact: %lld entries, head %lld:%s\n", (long long)rep.entries,
	       (long long)rep.head_seq, rep.head_seq ? rep.head_hash : "-");
	if (have)
		printf("matches checkpoint %s (%s, size %" PRIu64 "): entries 1..%" PRIu64
		       " unchanged since it was signed; %lld newer entries "
		       "are not covered by a witnessed checkpoint yet\n",
		       path, c.origin, c.size, c.size, (long long)(trep.entries - (int64_t)c.size));
	else
		printf("no witness checkpoint given: removal of the newest entries "
		       "(or of the whole log) cannot be excluded; pass --checkpoint "
		       "FILE from a witness's copy, or set [audit] checkpoint_dir\n");
out:
	store_close(st);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct cfg_ctx cc;
	struct store *st = NULL;
	struct opts o;
	const char *head = NULL, *sub;
	int64_t seq;
	int rc;

	memset(&o, 0, sizeof(o));
	o.limit = 1000;
	o.index = o.size = o.from = o.to = -1;
	if (argc < 2 || cli_is_help(argv[1]))
		return usage(argc < 2 ? stderr : stdout);
	sub = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const long max = 0x7fffffffffffffffL;
		int bad = 0;

		if (cli_is_help(a))
			return usage(stdout);
		if (!v)
			return cli_usage_error("audit: bad argument '%s'", a);
		if (strcmp(a, "--after") == 0)
			bad = cli_parse_long(v, 0, max, &o.after);
		else if (strcmp(a, "--limit") == 0)
			bad = cli_parse_long(v, 1, 10000000, &o.limit);
		else if (strcmp(a, "--index") == 0)
			bad = cli_parse_long(v, 0, max - 1, &o.index);
		else if (strcmp(a, "--size") == 0)
			bad = cli_parse_long(v, 1, max, &o.size);
		else if (strcmp(a, "--from") == 0)
			bad = cli_parse_long(v, 0, max, &o.from);
		else if (strcmp(a, "--to") == 0)
			bad = cli_parse_long(v, 0, max, &o.to);
		else if (strcmp(a, "--head") == 0)
			head = v;
		else if (strcmp(a, "--checkpoint") == 0)
			o.checkpoint = v;
		else if (strcmp(a, "--vkey") == 0)
			o.vkey = v;
		else if (strcmp(a, "--out") == 0)
			o.out = v;
		else if (strcmp(a, "--name") == 0)
			o.name = v;
		else if (strcmp(a, "--vkey-out") == 0)
			o.vkey_out = v;
		else if (strcmp(a, "--key") == 0)
			o.key = v;
		else
			bad = -1;
		if (bad)
			return cli_usage_error("audit: bad argument '%s %s'", a, v);
		i++;
	}
	if (head) {
		const char *colon = strchr(head, ':');
		char num[24];

		if (!colon || colon - head >= (long)sizeof(num) || strlen(colon + 1) != 64)
			return cli_usage_error(
			    "audit verify --head wants SEQ:HASH (from `audit head`)");
		memcpy(num, head, (size_t)(colon - head));
		num[colon - head] = '\0';
		if (cli_parse_long(num, 1, 0x7fffffffL, &o.hseq))
			return cli_usage_error("audit verify --head: bad sequence number");
		snprintf(o.hhash, sizeof(o.hhash), "%s", colon + 1);
	}
	if (load_config(&cc)) {
		atree_config_release(&cc.cfg);
		return 2;
	}
	if (strcmp(sub, "keygen") == 0) {
		rc = keygen(&o);
		atree_config_release(&cc.cfg);
		return rc;
	}
	if (strcmp(sub, "verify") == 0) {
		rc = verify(&o, &cc.cfg, &err);
		goto out;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "head") != 0 &&
	    strcmp(sub, "checkpoint") != 0 && strcmp(sub, "prove") != 0) {
		atree_config_release(&cc.cfg);
		return cli_usage_error("audit: unknown subcommand '%s'", sub);
	}
	rc = store_open(&st, cli_global.db_path, 0, &err);
	if (rc)
		goto out;
	if (strcmp(sub, "list") == 0) {
		rc = list(st, o.after, o.limit, &err);
	} else if (strcmp(sub, "head") == 0) {
		rc = audit_head(st, &seq, o.hhash, &err);
		if (!rc)
			printf("%lld:%s\n", (long long)seq, o.hhash);
	} else if (strcmp(sub, "checkpoint") == 0) {
		rc = checkpoint(st, &o, &cc.cfg, &err);
	} else {
		rc = prove(st, &o, &err);
	}
out:
	store_close(st);
	atree_config_release(&cc.cfg);
	return rc ? cli_fail(&err) : 0;
}
