/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl toeplitz --key HEX INPUT_HEX: the bare Toeplitz function. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl toeplitz [--key KEY] [--impl NAME] [--json] INPUT_HEX...\n\n"
	"Print the Toeplitz hash of INPUT_HEX as 0x%08x, and nothing else (with\n"
	"--key random, the key chosen goes to stderr).\n"
	"Input is the exact bytes hashed (source address, destination address,\n"
	"source port, destination port, network order), at most 36 bytes.\n"
	"Hex may use ':' (or '-', '.', ' ') between bytes and a 0x prefix.\n\n"
	"  --key HEX|@FILE|random|default  key, 1..40 bytes (default: Microsoft key)\n"
	"  --impl auto|ref|table|clmul|gfni  code path (default auto)\n"
	"  --json                 one JSON object: hash, input, key (colon hex), impl\n"
	"  -h, --help             this text\n\n"
	"Example: tunvnet-ctl toeplitz 420995bba18e6450  ->  0x323e8fc2\n";

int cmd_toeplitz(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "impl", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum tunvnet_toeplitz_impl impl = TUNVNET_TOEPLITZ_AUTO;
	uint8_t key[TUNVNET_KEY_MAX], in[TUNVNET_TOEPLITZ_INPUT_MAX];
	size_t key_len = TUNVNET_KEY_MAX, in_len;
	struct tunvnet_toeplitz *t;
	char err[160], joined[512], key_text[KEY_STRING_MAX], in_text[2 * sizeof(in) + 1];
	bool json = false, random_key = false;
	uint32_t hash;
	unsigned int i;
	int c, rc;

	memcpy(key, tunvnet_default_key(), TUNVNET_KEY_MAX);
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (parse_key(optarg, key, &key_len, err, sizeof(err)))
				return usage_error("toeplitz", "%s", err);
			random_key = key_is_random(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			for (i = TUNVNET_TOEPLITZ_AUTO; i <= TUNVNET_TOEPLITZ_GFNI; i++)
				if (strcmp(optarg, tunvnet_toeplitz_impl_name(i)) == 0)
					break;
			if (i > TUNVNET_TOEPLITZ_GFNI)
				return usage_error("toeplitz", "unknown --impl '%s' "
					"(auto, ref, table, clmul, gfni)", optarg);
			impl = (enum tunvnet_toeplitz_impl)i;
			break;
		case 'h':
			return print_help(help);
		default:
			return usage_error("toeplitz", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("toeplitz", "expected the INPUT_HEX argument");
	/* Unquoted spaces split the input into words: join them back. */
	for (i = (unsigned int)optind, joined[0] = '\0'; i < (unsigned int)argc; i++) {
		if (strlen(joined) + strlen(argv[i]) + 2 > sizeof(joined))
			return usage_error("toeplitz", "input is longer than %d bytes",
					   TUNVNET_TOEPLITZ_INPUT_MAX);
		strcat(joined, " ");
		strcat(joined, argv[i]);
	}
	rc = parse_hex(joined + 1, in, sizeof(in), &in_len);
	if (rc == -E2BIG)
		return usage_error("toeplitz", "input is longer than %d bytes",
				   TUNVNET_TOEPLITZ_INPUT_MAX);
	if (rc)
		return usage_error("toeplitz", "bad hex input '%s' (pairs of hex digits, "
				   "optionally separated by ':')", joined + 1);
	if (in_len + 4 > key_len)
		return usage_error("toeplitz", "key is %zu bytes; a %zu-byte input needs %zu",
				   key_len, in_len, in_len + 4);
	rc = tunvnet_toeplitz_new(key, key_len, impl, &t);
	if (rc == -EOPNOTSUPP) /* this CPU or build lacks the path: not bad input */
		return ctl_fail("toeplitz", EXIT_CHECK, "use --impl auto (the fastest path here)",
				"cannot use --impl %s: %s", tunvnet_toeplitz_impl_name(impl),
				tunvnet_last_error());
	if (rc)
		return lib_error("toeplitz", "cannot prepare the key", rc, true);
	hash = tunvnet_toeplitz_hash(t, in, in_len);
	key_string(key, key_len, key_text, sizeof(key_text));
	if (json) {
		struct json j;

		hex_string(in, in_len, in_text, sizeof(in_text));
		json_begin(&j, stdout);
		json_hex32(&j, "hash", hash);
		json_str(&j, "input", in_text);
		json_str(&j, "key", key_text);
		json_str(&j, "impl", tunvnet_toeplitz_impl_name(tunvnet_toeplitz_impl_of(t)));
		json_end(&j);
	} else {
		if (random_key)
			fprintf(stderr, "key: %s\n", key_text);
		printf("0x%08x\n", hash);
	}
	tunvnet_toeplitz_free(t);
	return EXIT_OK;
}
