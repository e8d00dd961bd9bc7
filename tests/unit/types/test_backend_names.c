/* SPDX-License-Identifier: MIT */
/* Backend names both ways, as HELPERS.md fixes them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

static void names(void **state)
{
	static const char *const want[] = { "auto", "kernel", "ebpf", "user" };
	enum tunvnet_backend b = TUNVNET_BACKEND_USER;

	(void)state;
	assert_int_equal(TUNVNET_BACKEND_AUTO, 0);
	assert_int_equal(TUNVNET_BACKEND_KERNEL, 1);
	assert_int_equal(TUNVNET_BACKEND_EBPF, 2);
	assert_int_equal(TUNVNET_BACKEND_USER, 3);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(tunvnet_backend_name((enum tunvnet_backend)i), want[i]);
		assert_int_equal(tunvnet_backend_parse(want[i], &b), 0);
		assert_int_equal(b, i);
	}
	assert_string_equal(tunvnet_backend_name((enum tunvnet_backend)4), "unknown");
	assert_int_equal(tunvnet_backend_parse("EBPF", &b), 0);
	assert_int_equal(b, TUNVNET_BACKEND_EBPF);
	/* Bad input changes nothing. */
	assert_int_equal(tunvnet_backend_parse("xdp", &b), -EINVAL);
	assert_int_equal(b, TUNVNET_BACKEND_EBPF);
	assert_int_equal(tunvnet_backend_parse(NULL, &b), -EINVAL);
	assert_int_equal(tunvnet_backend_parse("user", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(names) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
