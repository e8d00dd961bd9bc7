/* SPDX-License-Identifier: MIT */
/* Toeplitz handle errors: bad keys, unknown or unavailable paths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <tunvnet/tunvnet.h>

static void test_bad_keys(void **state)
{
	const uint8_t *key = tunvnet_default_key();
	struct tunvnet_toeplitz *t = (void *)&t;

	(void)state;
	assert_int_equal(tunvnet_toeplitz_new(NULL, 40, TUNVNET_TOEPLITZ_AUTO, &t), -EINVAL);
	assert_null(t);
	assert_true(strlen(tunvnet_last_error()) > 0);
	assert_int_equal(tunvnet_toeplitz_new(key, 0, TUNVNET_TOEPLITZ_AUTO, &t), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "0 bytes"));
	assert_int_equal(tunvnet_toeplitz_new(key, 41, TUNVNET_TOEPLITZ_TABLE, &t), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "41 bytes"));
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_AUTO, NULL), -EINVAL);
	assert_int_equal(tunvnet_toeplitz_new(key, 40, (enum tunvnet_toeplitz_impl)99, &t),
			 -EINVAL);
	assert_false(tunvnet_toeplitz_impl_available((enum tunvnet_toeplitz_impl)99));
	/* Boundaries are fine. */
	assert_int_equal(tunvnet_toeplitz_new(key, 1, TUNVNET_TOEPLITZ_REF, &t), 0);
	tunvnet_toeplitz_free(t);
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_REF, &t), 0);
	assert_string_equal(tunvnet_last_error(), "");
	tunvnet_toeplitz_free(t);
	tunvnet_toeplitz_free(NULL);
	assert_int_equal(tunvnet_toeplitz_ref(NULL, 40, "x", 1), 0);
}

/* Whatever this CPU has: an unavailable path is -EOPNOTSUPP, an available one works. */
static void test_cpu_paths(void **state)
{
	static const enum tunvnet_toeplitz_impl all[] = {
		TUNVNET_TOEPLITZ_REF, TUNVNET_TOEPLITZ_TABLE, TUNVNET_TOEPLITZ_CLMUL,
		TUNVNET_TOEPLITZ_GFNI,
	};
	struct tunvnet_toeplitz *t;
	size_t i;

	(void)state;
	assert_true(tunvnet_toeplitz_impl_available(TUNVNET_TOEPLITZ_AUTO));
	assert_true(tunvnet_toeplitz_impl_available(TUNVNET_TOEPLITZ_REF));
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int want = tunvnet_toeplitz_impl_available(all[i]) ? 0 : -EOPNOTSUPP;

		assert_int_equal(tunvnet_toeplitz_new(tunvnet_default_key(), 40, all[i], &t), want);
		if (!want) {
			assert_int_equal(tunvnet_toeplitz_impl_of(t), all[i]);
			tunvnet_toeplitz_free(t);
		}
	}
	assert_int_equal(tunvnet_toeplitz_new(tunvnet_default_key(), 40, TUNVNET_TOEPLITZ_AUTO,
					      &t), 0);
	assert_int_not_equal(tunvnet_toeplitz_impl_of(t), TUNVNET_TOEPLITZ_AUTO);
	tunvnet_toeplitz_free(t);
}

/* Paths hidden by TUNVNET_TOEPLITZ_DISABLE: -EOPNOTSUPP, and AUTO falls back. */
static void test_disabled_paths(void **state)
{
	const uint8_t *key = tunvnet_default_key();
	struct tunvnet_toeplitz *t = NULL;

	(void)state;
	assert_int_equal(setenv("TUNVNET_TOEPLITZ_DISABLE", "gfni, CLMUL", 1), 0);
	assert_false(tunvnet_toeplitz_impl_available(TUNVNET_TOEPLITZ_GFNI));
	assert_false(tunvnet_toeplitz_impl_available(TUNVNET_TOEPLITZ_CLMUL));
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_GFNI, &t), -EOPNOTSUPP);
	assert_null(t);
	assert_non_null(strstr(tunvnet_last_error(), "gfni"));
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_CLMUL, &t), -EOPNOTSUPP);
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_AUTO, &t), 0);
	assert_int_equal(tunvnet_toeplitz_impl_of(t), TUNVNET_TOEPLITZ_TABLE);
	tunvnet_toeplitz_free(t);

	assert_int_equal(setenv("TUNVNET_TOEPLITZ_DISABLE", "gfni,clmul,table", 1), 0);
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_TABLE, &t), -EOPNOTSUPP);
	assert_int_equal(tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_AUTO, &t), 0);
	assert_int_equal(tunvnet_toeplitz_impl_of(t), TUNVNET_TOEPLITZ_REF);
	assert_int_equal(tunvnet_toeplitz_hash(t, "\xac\x11\x00\x00\xac\x11\x00\x01", 8),
			 0x6e45d952);
	tunvnet_toeplitz_free(t);
	assert_int_equal(unsetenv("TUNVNET_TOEPLITZ_DISABLE"), 0);
	assert_true(tunvnet_toeplitz_impl_available(TUNVNET_TOEPLITZ_TABLE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_cpu_paths),
		cmocka_unit_test(test_disabled_paths),
	};

	unsetenv("TUNVNET_TOEPLITZ_DISABLE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
